"""The graph as QuickStatements V1 commands, so its people, places and organizations can go to Wikidata
or any other Wikibase with their evidence.

The mapping file (graph/wikidata.toml, or one of the same shape for another Wikibase) chooses every
property and item id. Every statement carries a reference: the archive document's URL (or, for
coordinates, the GeoNames record) and the day it was retrieved; a fact without one is left out.
Labels, aliases and descriptions cannot carry references in V1 and go to new items only (aliases also
to existing ones: adding one never overwrites).

V1 cannot quote a double quote inside a string, so values have each `"` replaced by `'`; tabs and
newlines become spaces. V1 has no comment lines either: what is left out, and why, is counted into the
`skipped` Counter a caller may pass.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from pyoxigraph import Literal, NamedNode, Store

from extract.names import fold
from graph.iris import AKG, PREFIXES, sparql_prefixes

XSD = PREFIXES["xsd"]
PRECISION = {XSD + "date": 11, XSD + "gYearMonth": 10, XSD + "gYear": 9}  # Wikibase time precisions
GEONAMES_URL = "https://www.geonames.org/{}"
MAX_TERM = 250  # Wikibase's limit on a label, alias or description


@dataclass(frozen=True)
class Relation:
    property: str
    inverse: bool = False


@dataclass(frozen=True)
class Mapping:
    """Where each kind of fact goes on the target Wikibase (see graph/wikidata.toml for the shape)."""
    name: str
    language: str
    use_wikidata_ids: bool
    create: str
    classes: dict[str, str]
    descriptions: dict[str, str]
    properties: dict[str, str]
    relations: dict[str, Relation]
    positions: dict[str, str]
    items: dict[str, str]

    @classmethod
    def load(cls, path_or_name: str | Path) -> Mapping:
        """"wikidata" is the mapping shipped with the package; anything else is a path to a TOML file."""
        path = Path(__file__).with_name("wikidata.toml") if str(path_or_name) == "wikidata" else Path(path_or_name)
        with open(path, "rb") as f:
            data = tomllib.load(f)
        mapping = cls(
            name=data.get("name", path.stem), language=data.get("language", "en"),
            use_wikidata_ids=bool(data.get("use_wikidata_ids", False)), create=data.get("create", "authority"),
            classes=data.get("classes", {}), descriptions=data.get("descriptions", {}),
            properties=data.get("properties", {}),
            relations={k: Relation(**v) for k, v in data.get("relations", {}).items()},
            positions={fold(k): v for k, v in data.get("positions", {}).items()}, items=data.get("items", {}))
        mapping._check(path)
        return mapping

    def _check(self, path: Path) -> None:
        ids = [("Q", f"classes.{k}", v) for k, v in self.classes.items()]
        ids += [("P", f"properties.{k}", v) for k, v in self.properties.items()]
        ids += [("P", f"relations.{k}", r.property) for k, r in self.relations.items()]
        ids += [("Q", f"positions.{k}", v) for k, v in self.positions.items()]
        ids += [("Q", f"items.{k}", v) for k, v in self.items.items()]
        for letter, key, value in ids:
            if not re.fullmatch(letter + r"[1-9]\d*", str(value)):
                raise ValueError(f"{path}: {key} = {value!r} is not a {letter} id")
        for key in ("instance_of", "reference_url", "retrieved"):
            if key not in self.properties:
                raise ValueError(f"{path}: properties.{key} is missing")
        if self.create not in ("authority", "all"):
            raise ValueError(f"{path}: create = {self.create!r}; use \"authority\" or \"all\"")
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z]+)*", self.language):
            raise ValueError(f"{path}: language = {self.language!r} is not a language code")


@dataclass
class Entity:
    iri: str
    path: str
    cls: str
    label: str
    description: str | None
    item: str | None
    from_authority: bool
    lat: str | None
    long: str | None
    geonames: str | None


def string(value: str) -> str:
    """A V1 string: `"` (which V1 cannot escape) replaced by `'`, whitespace runs as one space."""
    return '"' + " ".join(value.replace('"', "'").split()) + '"'


def time(literal: Literal) -> str:
    """An xsd:date / gYearMonth / gYear literal as a V1 time with its precision (day 11, month 10, year 9)."""
    precision = PRECISION[literal.datatype.value]
    parts = (literal.value.split("-") + ["00", "00"])[:3]
    return f"+{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z/{precision}"


def _rows(store: Store, query: str):
    return store.query(sparql_prefixes() + query, use_default_graph_as_union=True)


def _value(term) -> str | None:
    return None if term is None else term.value


def _entities(store: Store, mapping: Mapping, skipped: Counter) -> dict[str, Entity]:
    """The entities of the mapped classes, with the item each has on the target (if known)."""
    bases = [r["b"].value for r in _rows(store, "SELECT ?b WHERE { ?d a void:Dataset ; void:uriSpace ?b }")]
    if not bases:
        raise ValueError("the store has no void:Dataset: build it with `archivekg build` first")
    entities, paths = {}, set()
    for r in _rows(store, """
        SELECT ?e ?t (MIN(?l) AS ?label) (MIN(?d) AS ?desc) (MIN(?w) AS ?wd) (MIN(?a) AS ?auth)
               (MIN(?la) AS ?lat) (MIN(?lo) AS ?long) (MIN(?g) AS ?gn) WHERE {
          VALUES ?t { akg:Person akg:Place akg:Organization akg:Group } ?e a ?t ; rdfs:label ?l .
          OPTIONAL { ?e schema:description ?d } OPTIONAL { ?e akg:wikidata ?w }
          OPTIONAL { ?e akg:fromAuthority ?a } OPTIONAL { ?e akg:geonamesId ?g }
          OPTIONAL { ?e geo:lat ?la ; geo:long ?lo } } GROUP BY ?e ?t"""):
        iri, cls = r["e"].value, r["t"].value.removeprefix(AKG)
        path = iri.removeprefix(bases[0])
        paths.add(path)
        if cls not in mapping.classes:
            skipped[f"{cls.lower()}: class not in the mapping"] += 1
            continue
        item = mapping.items.get(path) or (_value(r["wd"]) if mapping.use_wikidata_ids else None)
        if item and not re.fullmatch(r"Q[1-9]\d*", item):
            skipped[f"{cls.lower()}: malformed item id in the graph"] += 1
            continue
        entities[iri] = Entity(iri, path, cls, r["label"].value, _value(r["desc"]), item,
                               _value(r["auth"]) == "true", _value(r["lat"]), _value(r["long"]), _value(r["gn"]))
    for path in sorted(set(mapping.items) - paths):
        skipped[f"mapping: items.{path} names no entity of the graph"] += 1
    return entities


class _Export:
    """Collects, per exported entity, its terms and its referenced statements, then writes V1 lines."""

    def __init__(self, store: Store, mapping: Mapping, retrieved: str, skipped: Counter):
        self.store, self.m, self.skipped = store, mapping, skipped
        self.p = mapping.properties
        self.retrieved = time(Literal(retrieved, datatype=NamedNode(XSD + "date")))
        self.entities = _entities(store, mapping, skipped)
        self.names: dict[str, Counter] = defaultdict(Counter)                    # entity -> name -> count
        self.names_in: dict[tuple, Counter] = defaultdict(Counter)                # (graph, entity) -> name -> count
        self.names_by_url: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        self.statements: dict[str, set] = defaultdict(set)                       # entity -> {statement}
        self._mentions()
        self.new = self._new_items()
        self.new_iris = {e.iri for e in self.new}
        for e in self.new:
            self._type_and_place(e)
        self._roles()
        self._relations()

    def _mentions(self) -> None:
        for r in _rows(self.store, """
            SELECT ?g ?e ?name ?url (COUNT(?m) AS ?n) WHERE {
              GRAPH ?g { ?m oa:hasBody ?e ; akg:nameAsWritten ?name ; akg:document ?doc }
              OPTIONAL { ?doc dcterms:source ?url } }
            GROUP BY ?g ?e ?name ?url"""):
            e, name, n = r["e"].value, r["name"].value, int(r["n"].value)
            if e in self.entities:
                self.names[e][name] += n
                self.names_in[(r["g"].value, e)][name] += n
                if r["url"] is not None:
                    self.names_by_url[e][r["url"].value].add(name)

    def _new_items(self) -> list[Entity]:
        """The entities to CREATE: no item on the target, reviewed (unless create = "all"), with a
        referenced statement, and distinguishable (Wikibase refuses two items with one label and description)."""
        candidates = []
        for e in sorted(self.entities.values(), key=lambda e: e.iri):
            if e.item:
                continue
            if self.m.create == "authority" and not e.from_authority:
                self.skipped["new item: entity not in the authority file"] += 1
            elif not self.names_by_url[e.iri]:
                self.skipped["new item: no document URL for any mention"] += 1
            else:
                candidates.append(e)
        terms = Counter((fold(e.label), self.description(e)) for e in candidates)
        new = [e for e in candidates if terms[(fold(e.label), self.description(e))] == 1]
        self.skipped["new item: same label and description as another new item"] += len(candidates) - len(new)
        return new

    def description(self, e: Entity) -> str | None:
        return e.description or self.m.descriptions.get(e.cls)

    def exported(self, iri: str) -> bool:
        return iri in self.new_iris or (iri in self.entities and bool(self.entities[iri].item))

    def reference(self, url: str, named_as=()) -> tuple:
        """S854 the URL, S813 the day it was read, S1810 each name the source gives the subject."""
        refs = [("S" + self.p["reference_url"][1:], string(url)), ("S" + self.p["retrieved"][1:], self.retrieved)]
        if "subject_named_as" in self.p:
            refs += [("S" + self.p["subject_named_as"][1:], string(n)) for n in sorted(set(named_as))]
        return tuple(refs)

    def qualifiers(self, named_as: str | None, when: Literal | None) -> tuple:
        quals = []
        if named_as and "object_named_as" in self.p:
            quals.append((self.p["object_named_as"], string(named_as)))
        if when is not None and "point_in_time" in self.p:
            quals.append((self.p["point_in_time"], time(when)))
        return tuple(quals)

    def _type_and_place(self, e: Entity) -> None:
        """P31 of a new item, referenced by every document that names it (with the names it uses there);
        coordinates and GeoNames id of a new place, referenced by GeoNames. An existing item has its type
        and coordinates already: piling our references on them would be noise."""
        for url, names in self.names_by_url[e.iri].items():
            self.statements[e.iri].add((self.p["instance_of"], self.m.classes[e.cls], (), self.reference(url, names)))
        if e.geonames and e.lat is not None:
            ref = self.reference(GEONAMES_URL.format(e.geonames))
            if "coordinates" in self.p:
                self.statements[e.iri].add((self.p["coordinates"], f"@{e.lat}/{e.long}", (), ref))
            if "geonames_id" in self.p:
                self.statements[e.iri].add((self.p["geonames_id"], string(e.geonames), (), ref))

    def _roles(self) -> None:
        """P39 for each role whose position has an item in the mapping; the role as written is the
        object named as, the holder's name as written is the subject named as."""
        if "position_held" not in self.p:
            return
        for r in _rows(self.store, """
            SELECT ?holder ?role ?url ?date ?place ?org ?name WHERE {
              ?r a akg:RoleStatement ; akg:holder ?holder ; akg:roleName ?role ; akg:reportedIn ?doc .
              OPTIONAL { ?doc dcterms:source ?url } OPTIONAL { ?r akg:date ?date }
              OPTIONAL { ?r akg:place ?place } OPTIONAL { ?r akg:organization ?org }
              OPTIONAL { ?r prov:wasDerivedFrom/akg:nameAsWritten ?name } }"""):
            holder, role = r["holder"].value, r["role"].value
            if not self.exported(holder):
                continue
            keys = [f"{role} @ {self.entities[t.value].path if t.value in self.entities else t.value}"
                    for t in (r["place"], r["org"]) if t is not None] + [role]
            position = next((self.m.positions[fold(k)] for k in keys if fold(k) in self.m.positions), None)
            if position is None:
                self.skipped["role: no item for its position in the mapping"] += 1
            elif r["url"] is None:
                self.skipped["role: no document URL"] += 1
            else:
                names = [r["name"].value] if r["name"] is not None else []
                self.statements[holder].add((self.p["position_held"], position, self.qualifiers(role, r["date"]),
                                             self.reference(r["url"].value, names)))

    def _relations(self) -> None:
        """The relation shortcuts between entities, each referenced by the file it was read from and
        dated by the event in that file which joins the two. V1 can name a new item only as LAST, so a
        relation needs an existing item for its object."""
        found: dict[tuple, set] = defaultdict(set)  # (graph, a, relation, b, url) -> dates
        for r in _rows(self.store, """
            SELECT DISTINCT ?g ?a ?rel ?b ?url ?date WHERE {
              VALUES ?ta { akg:Person akg:Place akg:Organization akg:Group }
              VALUES ?tb { akg:Person akg:Place akg:Organization akg:Group }
              GRAPH ?g { ?a ?rel ?b . OPTIONAL { ?file a akg:SourceFile ; dcterms:source ?url }
                OPTIONAL { ?e akg:reportedIn ?doc ; ?p1 ?a ; ?p2 ?b ; akg:date ?date } }
              ?a a ?ta . ?b a ?tb . }"""):
            key = (r["g"].value, r["a"].value, r["rel"].value.removeprefix(AKG), r["b"].value, _value(r["url"]))
            found[key] |= {r["date"]} if r["date"] is not None else set()
        for (graph, a, rel, b, url), dates in found.items():
            mapped = self.m.relations.get(rel)
            if mapped is None:
                self.skipped[f"relation akg:{rel}: no property in the mapping"] += 1
                continue
            subject, obj = (b, a) if mapped.inverse else (a, b)
            if not (self.exported(subject) and self.exported(obj)):
                self.skipped[f"relation akg:{rel}: an entity not exported"] += 1
            elif not self.entities[obj].item:
                self.skipped[f"relation akg:{rel}: object is a new item, which V1 cannot name"] += 1
            elif url is None:
                self.skipped[f"relation akg:{rel}: no document URL"] += 1
            else:
                obj_name = _usual(self.names_in[(graph, obj)])
                ref = self.reference(url, self.names_in[(graph, subject)])
                for when in sorted(dates, key=lambda d: d.value) or [None]:
                    self.statements[subject].add((mapped.property, self.entities[obj].item,
                                                  self.qualifiers(obj_name, when), ref))

    def aliases(self, e: Entity) -> list[str]:
        """Each name as written once per folded form, not the label's, in its usual spelling."""
        best: dict[str, str] = {}
        for name in _by_usage(self.names[e.iri]):
            key = fold(" ".join(name.split()))
            if key and key != fold(e.label) and key not in best and len(name) <= MAX_TERM:
                best[key] = name
        return sorted(best.values())

    def lines(self) -> Iterator[str]:
        lang = self.m.language
        for e in sorted([*self.new, *(e for e in self.entities.values() if e.item)], key=lambda e: e.iri):
            subject = e.item or "LAST"
            if not e.item:
                yield "CREATE"
                yield f"LAST\tL{lang}\t{string(e.label[:MAX_TERM])}"
                description = self.description(e)
                if description and fold(description) != fold(e.label):
                    yield f"LAST\tD{lang}\t{string(description[:MAX_TERM])}"
            for alias in self.aliases(e):
                yield f"{subject}\tA{lang}\t{string(alias)}"
            for prop, value, quals, refs in sorted(self.statements[e.iri], key=_statement_order):
                yield "\t".join([subject, prop, value, *(x for pair in quals + refs for x in pair)])


def _by_usage(names: Counter) -> list[str]:
    """Spellings in order of preference: not in capitals if any other is, then the most frequent."""
    return sorted(names, key=lambda n: (n.isupper(), -names[n], n))


def _usual(names: Counter) -> str | None:
    return next(iter(_by_usage(names)), None)


def _statement_order(statement: tuple) -> tuple:
    prop, value, quals, refs = statement
    return int(prop[1:]), value, quals, refs


def quickstatements(store: Store, mapping: Mapping, retrieved: str | None = None,
                    skipped: Counter | None = None) -> Iterator[str]:
    """QuickStatements V1 lines (without newlines), sorted, for the persons, places and organizations
    of the store. `retrieved` (YYYY-MM-DD, default today) is the S813 date: the graph records no date of
    its own for when a source was read. `skipped` receives a count of what was left out, by reason."""
    retrieved = date.fromisoformat(retrieved).isoformat() if retrieved else date.today().isoformat()
    return _Export(store, mapping, retrieved, skipped if skipped is not None else Counter()).lines()
