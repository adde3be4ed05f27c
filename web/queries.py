"""The small, bounded queries behind the HTML pages, run directly on the app's read-only store.

They bypass the query pool on purpose: the pool may be saturated by runaway user queries, and the
pages must stay fast. Every query here is anchored on one IRI or has a LIMIT. What a page counts over
all of an entity's mentions (by document, by name, by sentence) is read from the index beside the store
(graph.page_index), where it is an indexed lookup however many mentions a hub has.
"""
from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pyoxigraph import Literal, NamedNode, Store

from extract.reader import is_boilerplate
from graph.iris import AKG, iri_list, short, span_of, sparql_prefixes
from graph.search_index import open_index, read_only
from graph.store import stored_base
from web.maps import coord

P = sparql_prefixes()
ENTITY_TYPES = {"person": "Person", "place": "Place", "org": "Organization", "group": "Group"}
TYPE_NOUNS = {"Person": "persons", "Place": "places", "Organization": "organizations", "Group": "groups"}
LIST_PAGE = 200
MENTION_DOCS = 20  # documents per page of an entity's mentions
# The query behind an entity page, offered as "open in SPARQL": every mention with its sentence and document.
ENTITY_QUERY = """SELECT ?doc ?name ?sentence WHERE {{
  ?m oa:hasBody <{iri}> ; akg:nameAsWritten ?name ; akg:document ?doc ; akg:sentence ?s .
  ?s rdf:value ?sentence .
}} ORDER BY ?doc LIMIT 500"""


def sparql_string(text: str) -> str:
    """A user string as a SPARQL literal, escaped by pyoxigraph (no injection through quotes)."""
    return str(Literal(text))


def val(term) -> str | None:
    return None if term is None else term.value


def num(term, default: int = 0) -> int:
    try:
        return int(term.value) if term is not None else default
    except ValueError:
        return default


class Pages:
    """Data for each page kind, as plain dicts and lists for the templates."""

    def __init__(self, store: Store, index: Path | None = None):
        self.store = store
        self.base = stored_base(store)
        self._graph_sizes = None
        # the index beside the store, if it has this code's schema: checked once, as a version's files
        # do not change while it is served
        found = open_index(index) if index else None
        self.index_path = index if found else None
        if found:
            found.close()

    @property
    def indexed(self) -> bool:
        return self.index_path is not None

    @contextmanager
    def index(self) -> Iterator[sqlite3.Connection | None]:
        """The index beside the store, read-only; None if it has none of this code's schema (the pages
        then show what the store alone gives, and say to rebuild)."""
        db = read_only(self.index_path) if self.index_path else None
        try:
            yield db
        finally:
            if db is not None:
                db.close()

    def q(self, query: str):
        return self.store.query(P + query, use_default_graph_as_union=True)


    # ------------------------------------------------------------ IRIs and links
    def version(self) -> str:
        """The store's version: when its last build ended (the VoID description's dcterms:modified)."""
        rows = list(self.q("SELECT (MAX(STR(?m)) AS ?v) WHERE { ?d a void:Dataset ; dcterms:modified ?m }"))
        return val(rows[0]["v"]) or "unversioned" if rows else "unversioned"

    def iri(self, path: str) -> str:
        return self.base + path

    def local(self, iri: str) -> str | None:
        return iri[len(self.base):] if iri.startswith(self.base) else None

    def href(self, iri: str) -> str:
        """The page of an IRI: dataset IRIs map to local paths; sentences and mentions to doc anchors."""
        path = self.local(iri)
        if path is None:
            return iri
        m = re.fullmatch(r"doc/(.+)/([sm])/(\d+-\d+)(?:/.*)?", path)
        if m:
            return f"/doc/{m.group(1)}#{m.group(2)}-{m.group(3)}"
        return "/" + path

    def labels(self, iris: set[str]) -> dict[str, str]:
        """rdfs:label (or dcterms:title) for a set of IRIs, in one query."""
        iris = {i for i in iris if i}
        if not iris:
            return {}
        out = {}
        for r in self.q(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {iri_list(iris)} }} {{ ?x rdfs:label ?l }} UNION {{ ?x dcterms:title ?l }} UNION {{ ?x akg:nameAsWritten ?l }} }}"):
            out.setdefault(r["x"].value, r["l"].value)
        return out

    def link(self, iri: str, labels: dict[str, str]) -> dict:
        return {"iri": iri, "href": self.href(iri), "label": labels.get(iri) or self.local(iri) or short(iri)}

    # ------------------------------------------------------------ home, lists, search
    def counts(self) -> dict[str, int]:
        out = {t: 0 for t in [*ENTITY_TYPES.values(), "Document", "Event"]}
        for r in self.q("""SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {
              VALUES ?t { akg:Person akg:Place akg:Organization akg:Group akg:Document } ?e a ?t } GROUP BY ?t"""):
            out[r["t"].value[len(AKG):]] = num(r["n"])
        for r in self.q("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e akg:reportedIn ?d }"):
            out["Event"] = num(r["n"])
        return out

    def entity_list(self, type_: str, page: int) -> list[dict]:
        rows = self.q(f"""SELECT ?e (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?alt) AS ?alts) (MAX(?c) AS ?mc) WHERE {{
              ?e a akg:{type_} . OPTIONAL {{ ?e rdfs:label ?l }} OPTIONAL {{ ?e skos:altLabel ?alt }}
              OPTIONAL {{ ?e akg:mentionCount ?c }} }} GROUP BY ?e ORDER BY DESC(?mc) LCASE(STR(?label))
              LIMIT {LIST_PAGE + 1} OFFSET {page * LIST_PAGE}""")
        return [{"href": self.href(r["e"].value), "label": val(r["label"]) or self.local(r["e"].value),
                 "alts": num(r["alts"]), "mentions": num(r["mc"])} for r in rows]

    def doc_list(self, page: int) -> list[dict]:
        rows = self.q(f"""SELECT ?d (SAMPLE(?t) AS ?title) (MIN(STR(?dt)) AS ?date) (SAMPLE(?k) AS ?kind)
              (COUNT(DISTINCT ?m) AS ?mentions) WHERE {{
              ?d a akg:Document . OPTIONAL {{ ?d dcterms:title ?t }} OPTIONAL {{ ?d dcterms:date ?dt }}
              OPTIONAL {{ ?d akg:documentKind ?k }} OPTIONAL {{ ?m akg:document ?d ; oa:hasBody ?b }} }}
              GROUP BY ?d ORDER BY ?date ?d LIMIT {LIST_PAGE + 1} OFFSET {page * LIST_PAGE}""")
        return [{"href": self.href(r["d"].value), "label": val(r["title"]) or self.local(r["d"].value),
                 "date": val(r["date"]), "kind": val(r["kind"]), "mentions": num(r["mentions"])} for r in rows]

    def entity_labels(self) -> dict[str, str]:
        """Every entity of the four page types with its label (its IRI's path if it has none)."""
        types = " ".join(f"akg:{t}" for t in ENTITY_TYPES.values())
        out: dict[str, str] = {}
        for r in self.q(f"SELECT ?e ?l WHERE {{ VALUES ?t {{ {types} }} ?e a ?t OPTIONAL {{ ?e rdfs:label ?l }} }}"):
            label = val(r["l"]) or self.local(r["e"].value) or r["e"].value
            out[r["e"].value] = min(out.get(r["e"].value, label), label)
        return out

    def places(self) -> list[dict]:
        """Every place with its label, mention count and (lat, lon) floats or None, for the maps and GeoJSON.

        Not aggregated in SPARQL: SAMPLE(lat) and SAMPLE(long) could come from different pairs.
        """
        rows = self.q("""SELECT ?e ?l ?lat ?lon ?c WHERE { ?e a akg:Place . OPTIONAL { ?e rdfs:label ?l }
              OPTIONAL { ?e geo:lat ?lat ; geo:long ?lon } OPTIONAL { ?e akg:mentionCount ?c } } LIMIT 20000""")
        out: dict[str, dict] = {}
        for r in rows:
            iri = r["e"].value
            p = out.setdefault(iri, {"iri": iri, "href": self.href(iri), "label": None, "lat": None, "lon": None,
                                     "mentions": 0})
            p["label"] = p["label"] or val(r["l"])
            p["mentions"] = max(p["mentions"], num(r["c"]))
            c = coord(val(r["lat"]), val(r["lon"]))
            if c and p["lat"] is None:
                p["lat"], p["lon"] = c
        for p in out.values():
            p["label"] = p["label"] or self.local(p["iri"]) or p["iri"]
        return sorted(out.values(), key=lambda p: (-p["mentions"], p["label"].lower()))

    def triples(self, iri: str) -> list[tuple[str, object]]:
        return [(r["p"].value, r["o"]) for r in self.q(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 2000")]

    def exists(self, iri: str) -> bool:
        return bool(self.q(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"))

    def properties(self, iri: str) -> dict[str, list] | None:
        """The resource's values by prefixed property name ("rdf:type" -> [...]), or None if it has none."""
        props = self.triples(iri)
        if not props:
            return None
        by = defaultdict(list)
        for p, o in props:
            by[short(p)].append(o)
        return by

    def entity(self, iri: str, mention_page: int = 0) -> dict | None:
        """An entity page's data from a few bounded queries, whatever the entity's size: mentions are
        grouped by document and paged, so a hub such as Stalin costs what a rare name costs."""
        by = self.properties(iri)
        if by is None:
            return None
        types = [t.value for t in by["rdf:type"]]
        type_ = next((t[len(AKG):] for t in types if t.startswith(AKG)), short(types[0]) if types else "resource")
        wikidata = [o.value for o in by["owl:sameAs"] if "wikidata.org" in o.value]
        wikidata += [f"http://www.wikidata.org/entity/{o.value}" for o in by["akg:wikidata"]
                     if f"http://www.wikidata.org/entity/{o.value}" not in wikidata]
        groups, more = self.mention_groups(iri, mention_page)
        return {
            "iri": iri, "type": type_, "path": self.local(iri),
            "label": val(by["rdfs:label"][0]) if by["rdfs:label"] else self.local(iri),
            "alt_labels": sorted({o.value for o in by["skos:altLabel"]}),
            "description": [o.value for o in by["schema:description"]],
            "wikidata": wikidata,
            "lat": val(by["geo:lat"][0]) if by["geo:lat"] else None,
            "long": val(by["geo:long"][0]) if by["geo:long"] else None,
            "geonames": val(by["akg:geonamesId"][0]) if by["akg:geonamesId"] else None,
            "mention_count": num(by["akg:mentionCount"][0]) if by["akg:mentionCount"] else None,
            "names": self.names_as_written(iri),
            "mention_groups": groups, "mention_page": mention_page, "more_mentions": more,
            "incoming": self.incoming(iri),
            "related": self.related(iri),
            "sparql": ENTITY_QUERY.format(iri=iri),
        }

    def incoming(self, iri: str) -> dict:
        """How many statements point at the entity, from how many resources (mentions included), and in how
        many documents it is named."""
        rows = list(self.q(f"""SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?k) WHERE {{ ?s ?p <{iri}> }}"""))
        with self.index() as db:
            docs = db.execute("SELECT COUNT(DISTINCT doc) FROM mention WHERE entity = ?", (iri,)).fetchone()[0] if db else 0
        return {"links": num(rows[0]["n"]), "from": num(rows[0]["k"]), "documents": docs}

    def names_as_written(self, iri: str) -> list[tuple[str, int]]:
        with self.index() as db:
            return db.execute("""SELECT name, COUNT(DISTINCT iri) AS n FROM mention WHERE entity = ? AND name IS NOT NULL
                GROUP BY name ORDER BY n DESC, name LIMIT 200""", (iri,)).fetchall() if db else []

    def mention_groups(self, iri: str, page: int = 0) -> tuple[list[dict], bool]:
        """One page of the documents that name the entity (oldest first), each with its mentions in their
        sentences, split for highlighting; and whether more documents follow."""
        with self.index() as db:
            if db is None:
                return [], False
            docs = db.execute("""SELECT m.doc, COUNT(DISTINCT m.iri), d.date, d.title FROM mention m
                LEFT JOIN document d ON d.iri = m.doc WHERE m.entity = ? GROUP BY m.doc ORDER BY d.date, m.doc
                LIMIT ? OFFSET ?""", (iri, MENTION_DOCS + 1, page * MENTION_DOCS)).fetchall()
            more, docs = len(docs) > MENTION_DOCS, docs[:MENTION_DOCS]
            rows = db.execute(f"""SELECT iri, doc, name, sentence FROM mention WHERE entity = ? AND doc IN
                ({", ".join("?" * len(docs))}) AND name IS NOT NULL AND sentence IS NOT NULL""",
                (iri, *(doc for doc, *_ in docs))).fetchall()
        if not docs:
            return [], False
        texts = {r["x"].value: r["t"].value for r in self.q(
            f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {iri_list({sent for *_, sent in rows})} }} ?x rdf:value ?t }}")}
        by_doc, seen = defaultdict(list), set()
        for mention, doc, name, sent in sorted(rows, key=lambda r: (span_of(r[0]) or (0, 0), r)):
            if mention in seen or sent not in texts:
                continue
            seen.add(mention)
            (ms, me), (ss, _) = span_of(mention) or (-1, -1), span_of(sent) or (0, 0)
            before, hit, after = split_highlight(texts[sent], name, ms - ss, me - ss)
            by_doc[doc].append({"name": name, "before": before, "hit": hit, "after": after, "href": self.href(mention)})
        return [{"href": self.href(doc), "label": title or self.local(doc), "date": day, "count": n,
                 "mentions": by_doc[doc]} for doc, n, day, title in docs], more

    def related(self, iri: str) -> list[dict]:
        """Entities named in the same sentences, most often first (the relations with their evidence are the
        ego network's)."""
        with self.index() as db:
            rows = db.execute("""SELECT other.entity, COUNT(DISTINCT other.sentence) AS n FROM mention one
                JOIN mention other ON other.sentence = one.sentence WHERE one.entity = ? AND other.entity != one.entity
                GROUP BY other.entity ORDER BY n DESC, other.entity LIMIT 40""", (iri,)).fetchall() if db else []
        labels = self.labels({other for other, _ in rows})
        return [{**self.link(other, labels), "count": n} for other, n in rows]

    def document(self, iri: str) -> dict | None:
        by = self.properties(iri)
        if by is None:
            return None
        if not any(o.value == AKG + "Document" for o in by["rdf:type"]):
            return None
        first = lambda k: val(by[k][0]) if by[k] else None  # noqa: E731
        doc = {"iri": iri, "title": first("dcterms:title") or self.local(iri), "date": first("dcterms:date"),
               "kind": first("akg:documentKind"), "sources": [o.value for o in by["dcterms:source"]],
               "archival_reference": first("akg:archivalReference"), "contributor": first("dcterms:contributor"),
               "translator": first("akg:translator"), "summary": first("akg:summary"), "header": first("akg:header"),
               "addressees": [o.value for o in by["akg:addressees"]], "transmission": first("akg:transmissionNote"),
               "segments": [], "mentions": 0}
        file_ = by["akg:sourceFile"][0].value if by["akg:sourceFile"] else None
        content = None
        if file_:
            for r in self.q(f"SELECT ?c ?n WHERE {{ <{file_}> akg:content ?c OPTIONAL {{ <{file_}> akg:fileName ?n }} }} LIMIT 1"):
                content, doc["file_name"] = r["c"].value, val(r["n"])
        if content is not None:
            start = num(by["akg:start"][0], 0) if by["akg:start"] else 0
            end = num(by["akg:end"][0], len(content)) if by["akg:end"] else len(content)
            sentences = [(num(r["s"]), num(r["e"])) for r in self.q(
                f"SELECT DISTINCT ?s ?e WHERE {{ ?x a akg:Sentence ; akg:document <{iri}> ; akg:start ?s ; akg:end ?e }} LIMIT 20000")]
            mrows = list(self.q(f"""SELECT DISTINCT ?b ?s ?e WHERE {{ ?m akg:document <{iri}> ; oa:hasBody ?b ;
                  oa:hasTarget/oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; oa:start ?s ; oa:end ?e }} LIMIT 20000"""))
            labels = self.labels({r["b"].value for r in mrows})
            mentions = [(num(r["s"]), num(r["e"]), self.link(r["b"].value, labels)) for r in mrows]
            doc["segments"] = segment_text(content, start, end, sentences, mentions)
            doc["mentions"] = len(mentions)
        return doc

    # ------------------------------------------------------------ events
    def event(self, iri: str) -> dict | None:
        props = self.triples(iri)
        if not props or not any(p == AKG + "reportedIn" for p, _ in props):
            return None
        objects = {o.value for _, o in props if isinstance(o, NamedNode)} | {p for p, _ in props}
        labels = self.labels(objects)
        rows, type_, evidence = [], "event", []
        for p, o in sorted(props, key=lambda po: short(po[0])):
            if short(p) == "rdf:type":
                if o.value != AKG + "Event":
                    type_ = labels.get(o.value, short(o.value))
                continue
            if short(p) == "akg:evidence":
                for r in self.q(f"SELECT ?t WHERE {{ <{o.value}> rdf:value ?t }} LIMIT 1"):
                    evidence.append({"text": r["t"].value, "href": self.href(o.value)})
                continue
            row = {"prop": labels.get(p, short(p))}
            row.update(self.link(o.value, labels) if isinstance(o, NamedNode) else {"value": o.value})
            rows.append(row)
        return {"iri": iri, "label": self.local(iri), "type": type_, "rows": rows, "evidence": evidence}

    # ------------------------------------------------------------ machine-readable twins
    def void(self):
        """The dataset's VoID description: its whole named graph."""
        return self.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{self.iri('graph/void')}> {{ ?s ?p ?o }} }}")

    def graph_sizes(self) -> list[tuple[str, int]]:
        """Every named graph and its number of triples (the store is read-only: counted once)."""
        if self._graph_sizes is None:
            rows = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
            self._graph_sizes = [(r["g"].value, int(r["n"].value)) for r in rows]
        return self._graph_sizes

    def describe(self, iri: str):
        """Outgoing and incoming triples of one resource across all graphs, as pyoxigraph triples."""
        return self.q(f"""CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{
              {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}""")


def split_highlight(text: str, name: str, start: int, end: int) -> tuple[str, str, str]:
    """Split a sentence around the mention; trust offsets if they match the name, else search for it."""
    if 0 <= start < end <= len(text) and (not name or text[start:end] == name):
        return text[:start], text[start:end], text[end:]
    i = text.find(name) if name else -1
    if i >= 0:
        return text[:i], name, text[i + len(name):]
    return text, "", ""


def segment_text(content: str, start: int, end: int, sentences, mentions) -> list[dict]:
    """Cut the document text into sentence and gap segments, each holding text and mention pieces.

    Overlapping sentences or mentions are dropped (first one wins), and a mention that crosses a
    sentence boundary is left unhighlighted, so the nesting is always valid HTML.
    """
    start, end = max(0, start), min(len(content), end)
    sents = []
    for s, e in sorted(sentences):
        if start <= s < e <= end and (not sents or s >= sents[-1][1]):
            sents.append((s, e))
    bounds, pos = [], start
    for s, e in sents:
        if s > pos:
            bounds.append((pos, s, None))
        bounds.append((s, e, f"s-{s}-{e}"))
        pos = e
    if pos < end:
        bounds.append((pos, end, None))
    ms = sorted(m for m in mentions if start <= m[0] < m[1] <= end)
    segments = []
    mi = 0
    for s, e, sid in bounds:
        pieces, pos = [], s
        while mi < len(ms) and ms[mi][0] < e:
            ms_, me, link = ms[mi]
            mi += 1
            if ms_ < pos or me > e:
                continue
            if ms_ > pos:
                pieces.append({"text": _gap(content[pos:ms_], sid)})
            pieces.append({"text": content[ms_:me], "id": f"m-{ms_}-{me}", **{k: link[k] for k in ("href", "label")}})
            pos = me
        if pos < e:
            pieces.append({"text": _gap(content[pos:e], sid)})
        segments.append({"id": sid, "pieces": pieces})
    return segments


def _gap(text: str, sentence_id: str | None) -> str:
    """Text as shown: outside sentences, the site's furniture (the funding line, rights, labels) left out,
    by the reader's own judgement of what is boilerplate."""
    if sentence_id is None:
        text = "".join(line for line in text.splitlines(keepends=True) if not is_boilerplate(line.strip()))
    return _squeeze(text)


def _squeeze(text: str) -> str:
    """Runs of blank lines shown as one: page scrapes are full of them. Offsets live in the ids, not here."""
    return re.sub(r"\n[ \t]*(?:\n[ \t]*){2,}", "\n\n", text)
