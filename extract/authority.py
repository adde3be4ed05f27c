"""The curated authority file (`authority.toml`): canonical entities and the names they go by."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.names import MIN_SKELETON, name_key, skeleton
from extract.records import FOLDER_TYPES, Entity

AUTHORITY_FILE = Path(__file__).with_name("authority.toml")


@dataclass(frozen=True)
class AuthorityEntry:
    key: str  # "person/bagirov"
    type: str
    label: str
    names: tuple[str, ...]
    description: str | None = None
    wikidata: str | None = None
    geonames: int | None = None
    modern: str | None = None

    def as_entity(self, names: dict[str, int]) -> Entity:
        """The entity this entry describes, with the names it was seen under."""
        return Entity(key=self.key, type=self.type, label=self.label, description=self.description,
                      wikidata=self.wikidata, names=names, from_authority=True)


@dataclass
class Authority:
    entries: dict[str, AuthorityEntry] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)  # name key -> entity key
    skeletons: dict[str, str | None] = field(default_factory=dict)  # transliteration key -> entity key, None if shared

    def lookup(self, name: str) -> AuthorityEntry | None:
        key = self.by_name.get(name_key(name))
        return self.entries[key] if key else None

    def by_skeleton(self, name: str) -> AuthorityEntry | None:
        """The one entry with a name of the same transliteration key ('Pişəvəri', 'Pishevari'), if only one has it."""
        sk = skeleton(name)
        key = self.skeletons.get(sk) if len(sk.replace(" ", "")) >= MIN_SKELETON else None
        return self.entries[key] if key else None


@lru_cache(maxsize=4)
def load_authority(path: Path = AUTHORITY_FILE) -> Authority:
    """Parse the TOML file; a name claimed by two entries is an error in the data, not a coin toss."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    authority = Authority()
    for section, type_ in FOLDER_TYPES.items():
        for raw in data.get(section, []):
            entry = AuthorityEntry(
                key=f"{section}/{raw['id']}", type=type_, label=raw["label"],
                names=tuple(dict.fromkeys([raw["label"], *raw.get("names", [])])),
                description=raw.get("description"), wikidata=raw.get("wikidata"),
                geonames=raw.get("geonames"), modern=raw.get("modern"),
            )
            authority.entries[entry.key] = entry
            for name in entry.names:
                k = name_key(name)
                other = authority.by_name.setdefault(k, entry.key)
                if other != entry.key:
                    raise ValueError(f"{path}: name {name!r} is claimed by both {other} and {entry.key}")
                sk = skeleton(name)
                authority.skeletons[sk] = entry.key if authority.skeletons.get(sk, entry.key) == entry.key else None
    return authority
