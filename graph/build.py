"""`archivekg build`: files -> records -> RDF in the store, one file's graph replaced at a time.

Bad input (empty, binary, mis-encoded, huge) is reported by name and skipped; what the store already
holds is never touched for a file that could not be read.
"""
from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable

import pyoxigraph
from pyoxigraph import Quad, Store

from extract.authority import AUTHORITY_FILE, Authority, load_authority
from extract.pipeline import Extractor
from extract.reader import InputError, input_files, slug
from extract.records import FOLDER_TYPES, Entity
from extract.resolve import preferred_label
from graph.iris import Minter, iri_list, ontology_graph, sparql_prefixes
from graph.mapping import corpus_quads, file_quads
from graph.parallel import analyse_all
from graph.publish import Activity, DatasetInfo, dumps_folder, now, record_activity, void_quads, write_dumps
from graph.search_index import write_search_index
from graph.store import GraphLoader, current_version, new_version, open_store, replace_graph, stored_base

ONTOLOGY_FILE = Path(__file__).resolve().parent.parent / "ontology" / "akg.ttl"
BATCH_FILES = 500  # files resolved together and written before the next are read
# What the web layer does to a new version before it is published: (version folder, previous version's
# folder, entities the build touched) -> None.
Prepare = Callable[[Path, Path, set[str]], None]


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # same content, same extractor: not read again
    skipped: list[str] = field(default_factory=list)  # "path: problem"
    removed: list[str] = field(default_factory=list)  # file ids whose graphs were dropped
    documents: int = 0
    mentions: int = 0
    events: int = 0
    entities: Counter = field(default_factory=Counter)  # type -> count, over the whole store
    quads: int = 0
    touched: set[str] = field(default_factory=set)  # entity IRIs the changed files name, before or after
    # work still running in other processes, each waited for (raising if it failed) before publishing
    pending: list[Callable[[], None]] = field(default_factory=list, repr=False)


def build(paths: list[str], store_path: str, base: str | None = None,
          echo: Callable[[str], None] = print, extractor: Extractor | None = None,
          info: DatasetInfo | None = None, force: bool = False, workers: int = 1,
          batch_files: int = BATCH_FILES, prepare: Prepare | None = None,
          dask: str | None = None) -> BuildReport:
    """Read the files into the store. A file whose content and extractor are those its graph was made
    from is not read again (unless `force`); a changed one replaces exactly its own graph. `workers`
    processes read files in parallel, or the workers of a Dask cluster (`dask`: a scheduler address, or
    "local" for a cluster of `workers` processes on this machine); the result does not depend on them.

    Files are resolved and written `batch_files` at a time, each batch against the entities already in
    the store, as an incremental build is, so memory stays flat however many files there are; a corpus
    of at most one batch is resolved all together.

    The build writes a new version of the store and publishes it at the end (graph.store.new_version),
    after `prepare(version folder, previous version folder, report.touched)` (the web layer renders its
    pages there, again only where the changed files can have changed them)."""
    return _in_new_version(store_path, prepare, lambda target, previous: _build(
        paths, target, base, echo, extractor, info, force, workers, batch_files, dask, previous))


def _in_new_version(store_path: str, prepare: Prepare | None,
                    work: Callable[[Path, Path], BuildReport]) -> BuildReport:
    """Do `work(version folder, previous version's folder)` in a new version of the store, let `prepare`
    add to it, and publish it."""
    previous = current_version(store_path)
    with new_version(store_path) as target:
        report = work(target, previous)
        if prepare:
            prepare(target, previous, report.touched)
        for wait in report.pending:
            wait()
    return report


def _build(paths: list[str], store_path: Path, base: str | None, echo: Callable[[str], None],
           extractor: Extractor | None, info: DatasetInfo | None, force: bool, workers: int,
           batch_files: int, dask: str | None, previous: Path) -> BuildReport:
    report = BuildReport()
    activity = Activity(started=now())
    extractor = extractor or Extractor()
    minter = Minter(base)
    files = []
    for p in paths:
        try:
            files.extend(input_files([p]))
        except InputError as err:
            report.skipped.append(str(err))
            echo(f"skipped {err}")
    store = open_store(store_path)
    stored = {} if force else stored_files(store, minter)
    sources = []
    for path in files:
        try:
            source = extractor.read(path)
        except InputError as err:
            report.skipped.append(str(err))
            echo(f"skipped {err}")
            continue
        if stored.get(source.file_id) == (source.sha256, extractor.fingerprint):
            report.unchanged.append(str(path))
        else:
            sources.append(source)
    if report.unchanged:
        echo(f"{len(report.unchanged)} file(s) unchanged since they were built: not read again")
    stream = enumerate(analyse_all(extractor, sources, workers, dask), 1)
    while batch := list(islice(stream, batch_files)):
        for i, x in batch:
            echo(f"[{i}/{len(sources)}] read {x.file.path}")
        extractions = [x for _, x in batch]
        extractor.resolve(extractions, known_entities(store, minter))
        graphs = {minter.file_graph(x.file.file_id).value for x in extractions}
        report.touched |= named_entities(store, graphs)
        loader = GraphLoader(store)
        for x in extractions:
            loader.replace(minter.file_graph(x.file.file_id), file_quads(minter, x))
            activity.files.append((x.file.file_id, Path(x.file.path).name, x.file.sha256))
            report.built.append(x.file.path)
            report.documents += len(x.documents)
            report.mentions += len(x.mentions)
            report.events += len(x.events)
        loader.flush()
        report.touched |= named_entities(store, graphs)
    written = {minter.file_graph(file_id).value for file_id, _, _ in activity.files}
    finish(store, store_path, minter, extractor.authority, activity, info, report, written, previous, workers)
    return report


def remove(file_names: list[str], store_path: str, echo: Callable[[str], None] = print,
           authority: Authority | None = None, info: DatasetInfo | None = None,
           prepare: Prepare | None = None) -> BuildReport:
    """Drop the graphs of these files (given by path, name or file id) and everything made from them: the
    entities no other file names leave the corpus graph; the rest keep their IRIs. Published as a build is."""
    return _in_new_version(store_path, prepare, lambda target, previous: _remove(
        file_names, target, echo, authority, info, previous))


def _remove(file_names: list[str], store_path: Path, echo: Callable[[str], None], authority: Authority | None,
            info: DatasetInfo | None, previous: Path) -> BuildReport:
    report = BuildReport()
    store = open_store(store_path)
    minter = Minter(stored_base(store))
    activity = Activity(started=now())
    for name in file_names:
        file_id = slug(Path(name).stem)
        graph = minter.file_graph(file_id)
        if store.contains_named_graph(graph):
            report.touched |= named_entities(store, {graph.value})
            store.remove_graph(graph)
            report.removed.append(file_id)
            echo(f"removed {name} (graph {graph.value})")
        else:
            report.skipped.append(f"{name}: not in the store (no graph {graph.value})")
    finish(store, store_path, minter, authority or load_authority(AUTHORITY_FILE), activity, info, report,
           {minter.file_graph(file_id).value for file_id in report.removed}, previous)
    return report


def finish(store: Store, store_path: str, minter: Minter, authority: Authority, activity: Activity,
           info: DatasetInfo | None, report: BuildReport, written: set[str], previous: Path,
           workers: int = 1) -> None:
    """What follows any change to the file graphs: the corpus graph (entities and their names, from every
    file's mentions), the ontology, provenance, VoID, the dumps and the search index (only the `written`
    or removed file graphs and the corpus-wide ones made again; the rest from the `previous` version's).
    With more than one worker the dumps are written by another process, reading the finished store,
    while this one writes the index and the pages (`report.pending` waits for it)."""
    entities = store_entities(store, minter, authority)
    geonames = {k: e.geonames for k, e in authority.entries.items() if e.geonames}
    replace_graph(store, minter.corpus_graph(), corpus_quads(minter, entities, geonames))
    replace_graph(store, ontology_graph(), [
        Quad(t.subject, t.predicate, t.object, ontology_graph())
        for t in pyoxigraph.parse(path=str(ONTOLOGY_FILE), format=pyoxigraph.RdfFormat.TURTLE)])
    activity.ended = now()
    record_activity(store, minter, activity, report.removed)
    replace_graph(store, minter.void_graph(), void_quads(store, minter, info or DatasetInfo(), activity.ended))
    store.flush()
    corpus_wide = {g.value for g in (minter.corpus_graph(), ontology_graph(), minter.void_graph(),
                                     minter.provenance_graph())}
    changed = written | corpus_wide
    if workers > 1:  # the store is complete: another process serializes it while this one goes on
        report.pending.append(_in_process(_write_dumps_read_only, str(store_path), changed, str(dumps_folder(previous))))
    else:
        write_dumps(store, store_path, changed, dumps_folder(previous))
    write_search_index(store, store_path, written, previous)
    report.entities = Counter(e.type for e in entities.values())
    report.quads = len(store)


def _write_dumps_read_only(version: str, changed: set[str], previous: str) -> None:
    write_dumps(Store.read_only(version), version, changed, Path(previous))


def _in_process(target: Callable, *args) -> Callable[[], None]:
    """Start `target(*args)` in a new process; returns what waits for it and raises if it failed."""
    process = multiprocessing.get_context("spawn").Process(target=target, args=args, daemon=True)
    process.start()

    def wait() -> None:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"{target.__name__} failed in its process (exit code {process.exitcode})")
    return wait


def named_entities(store: Store, graphs: set[str]) -> set[str]:
    """The entities the mentions of these file graphs point to."""
    if not graphs:
        return set()
    rows = store.query(sparql_prefixes() + f"""SELECT DISTINCT ?e WHERE {{
        VALUES ?g {{ {iri_list(graphs)} }} GRAPH ?g {{ ?m oa:hasBody ?e }} }}""")
    return {r["e"].value for r in rows}


def stored_files(store: Store, minter: Minter) -> dict[str, tuple[str, str | None]]:
    """file id -> (sha256, extractor fingerprint) of every file graph in the store."""
    rows = store.query(sparql_prefixes() + """SELECT ?f ?sha ?x WHERE { GRAPH ?g { ?f a akg:SourceFile ;
        akg:sha256 ?sha . OPTIONAL { ?f akg:extractor ?x } } }""")
    return {minter.local_path(r["f"].value).removeprefix("file/"): (r["sha"].value, r["x"].value if r["x"] else None)
            for r in rows}


def known_entities(store: Store, minter: Minter) -> dict[str, Entity]:
    """The entities the store already has, with every name they were seen under, for the resolver."""
    rows = store.query(sparql_prefixes() + """
        SELECT ?e ?label ?name WHERE { GRAPH ?g { ?e rdfs:label ?label . OPTIONAL { ?e skos:altLabel ?name } } }""",
        use_default_graph_as_union=False)
    known: dict[str, Entity] = {}
    for row in rows:
        key = minter.local_path(row["e"].value)
        if not key or key.split("/")[0] not in FOLDER_TYPES:
            continue
        entity = known.setdefault(key, Entity(key=key, type=FOLDER_TYPES[key.split("/")[0]], label=row["label"].value))
        if row["name"] is not None:
            entity.names[row["name"].value] = 1
    reasons = store.query(sparql_prefixes() + """
        SELECT ?e ?name (MIN(?why) AS ?reason) WHERE { GRAPH ?g { ?m oa:hasBody ?e ; akg:nameAsWritten ?name ;
          akg:resolution ?why } } GROUP BY ?e ?name""")
    for row in reasons:
        key = minter.local_path(row["e"].value)
        if key in known:
            known[key].reasons[row["name"].value] = row["reason"].value
    return known


def store_entities(store: Store, minter: Minter, authority: Authority) -> dict[str, Entity]:
    """Every entity some document's mention points to, with all its names as written across the corpus."""
    rows = store.query(sparql_prefixes() + """
        SELECT ?e ?name (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m oa:hasBody ?e ; akg:nameAsWritten ?name } }
        GROUP BY ?e ?name""")
    names: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        names[minter.local_path(row["e"].value)][row["name"].value] = int(row["n"].value)
    entities = {}
    for key, counts in names.items():
        if key in authority.entries:
            entities[key] = authority.entries[key].as_entity(dict(counts))
        else:
            entities[key] = Entity(key, FOLDER_TYPES[key.split("/")[0]], preferred_label(counts), names=dict(counts))
    return entities
