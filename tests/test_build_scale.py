"""Incremental and parallel builds: unchanged files are not read again, a changed file replaces exactly
its graph, `archivekg remove` drops one file, entity IRIs stay put throughout, and worker processes
change nothing in the graphs."""
from __future__ import annotations

import gzip
import re
import sqlite3
import zlib

import pyoxigraph as ox
import pytest

from conftest import run_archivekg, seed_folder
from graph.iris import Minter, sparql_prefixes
from graph.publish import dump_formats, dump_name, dumps_folder
from graph.search_index import SEARCH_FILE, write_search_index
from graph.store import current_version, open_store
from web.app import create_app
from web.cache import PRECOMPUTED_FILE

SEED_NAMES = ["000_9af72bc09fc97839.txt", "001_16b4ceed8b7928de.txt", "003_c0d2bb1156087dbf.txt"]


def _graphs(store_path) -> dict[str, set[str]]:
    """Every named graph's quads as text, the build's own record (provenance, VoID) left out."""
    store = open_store(store_path, read_only=True)
    out: dict[str, set[str]] = {}
    for q in store:
        out.setdefault(q.graph_name.value, set()).add(str(q))
    return {g: qs for g, qs in out.items() if not g.endswith(("graph/provenance", "graph/void"))}


def _entities(store_path) -> set[str]:
    store = open_store(store_path, read_only=True)
    return {r["e"].value for r in store.query(sparql_prefixes() + "SELECT DISTINCT ?e WHERE { ?m oa:hasBody ?e }",
                                              use_default_graph_as_union=True)}


def _index_rows(path) -> dict[str, set]:
    """What a search index holds, row ids aside."""
    with sqlite3.connect(path) as db:
        out = {
            "entities": set(db.execute("SELECT iri, label, type, mentions FROM entity")),
            "names": set(db.execute("SELECT e.iri, n.name, n.key FROM name n JOIN entity e ON e.id = n.entity")),
            "words": set(db.execute("""SELECT e.iri, n.key, w.word FROM name_word w JOIN name n ON n.id = w.name
                                       JOIN entity e ON e.id = n.entity""")),
            "documents": set(db.execute("""SELECT d.iri, d.title, d.date, d.graph, f.key FROM document d
                                           LEFT JOIN document_fts f ON f.rowid = d.id""")),
            "sentences": set(db.execute("""SELECT s.iri, d.iri, s.start, s."end", s.text, f.key FROM sentence s
                                           JOIN document d ON d.id = s.document JOIN sentence_fts f ON f.rowid = s.id""")),
            "found": set(db.execute("SELECT s.iri FROM sentence_fts JOIN sentence s ON s.id = sentence_fts.rowid "
                                    "WHERE sentence_fts MATCH 'tabriz'")),
            "events": set(db.execute("SELECT iri, graph, date FROM event")),
            "event links": set(db.execute("SELECT e.iri, l.link, l.value FROM event_link l JOIN event e ON e.id = l.event")),
            "mentions": set(db.execute("SELECT * FROM mention")),
            "links": set(db.execute("SELECT * FROM link")),
        }
        out["orphans"] = set(db.execute("SELECT rowid FROM sentence_fts WHERE rowid NOT IN (SELECT id FROM sentence)"))
        out["orphan links"] = set(db.execute("SELECT event FROM event_link WHERE event NOT IN (SELECT id FROM event)"))
    db.close()
    return out


def assert_side_files_are_fresh(store_path, tmp_path, log: str) -> int:
    """The search index and the rendered pages a build made (starting from the previous version's) are
    those a build from scratch would make: the index row for row, every page byte for byte against a
    live render. Returns how many pages the build kept from the previous version."""
    version = current_version(store_path)
    fresh = tmp_path / f"fresh-{version.name}"
    fresh.mkdir()
    write_search_index(open_store(store_path, read_only=True), fresh)
    assert _index_rows(version / SEARCH_FILE) == _index_rows(fresh / SEARCH_FILE)
    client = create_app(str(store_path)).test_client()
    with sqlite3.connect(version / PRECOMPUTED_FILE) as db:
        pages = list(db.execute("SELECT url, html FROM pages"))
    db.close()
    assert len(pages) > 3
    for url, html in pages:
        assert zlib.decompress(html).decode() == client.get(url + "?live=1").get_data(as_text=True), url
    return int(re.search(r"(\d+) kept from the previous version", log).group(1))


def test_rebuild_reads_only_what_changed_and_remove_drops_one_file(tmp_path):
    src = seed_folder(tmp_path / "src", SEED_NAMES)
    store = tmp_path / "store"
    first = run_archivekg("build", str(src), "--store", str(store))
    assert "built 3 file(s):" in first.stdout
    before, entities_before = _graphs(store), _entities(store)

    again = run_archivekg("build", str(src), "--store", str(store))
    assert "built 0 file(s), 3 unchanged" in again.stdout
    assert "reading" not in again.stderr, "no file is read again"
    assert _graphs(store) == before

    forced = run_archivekg("build", str(src), "--store", str(store), "--force")
    assert "built 3 file(s):" in forced.stdout
    assert _graphs(store) == before, "reading the same files again gives the same graphs"

    changed = src / SEED_NAMES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOn 3 December 1945 Bagirov met Pishevari in Tabriz.\n",
                       encoding="utf-8")
    third = run_archivekg("build", str(src), "--store", str(store))
    assert "built 1 file(s), 2 unchanged" in third.stdout
    after = _graphs(store)
    minter = Minter()
    changed_graph = minter.file_graph("000-9af72bc09fc97839").value
    assert after[changed_graph] != before[changed_graph]
    for name in SEED_NAMES[1:]:
        graph = minter.file_graph(name[:-4].replace("_", "-")).value
        assert after[graph] == before[graph], f"{graph} was not touched"
    assert entities_before <= _entities(store), "every entity keeps its IRI"
    assert assert_side_files_are_fresh(store, tmp_path, third.stderr) > 0, "pages the change cannot reach are kept"
    total = len(open_store(store, read_only=True))
    for fmt in dump_formats():  # the dumps, mostly reused parts, still hold the whole new version
        data = gzip.decompress((dumps_folder(current_version(store)) / dump_name(fmt)).read_bytes())
        assert len(list(ox.parse(data, format=fmt.rdf))) == total, fmt.name

    gone = minter.file_graph("003-c0d2bb1156087dbf").value
    only_there = {e for e in entities_before
                  if all(e not in " ".join(qs) for g, qs in after.items() if g not in (gone, minter.corpus_graph().value))}
    removed = run_archivekg("remove", str(src / SEED_NAMES[2]), "--store", str(store))
    assert "removed 1 file(s)" in removed.stdout
    assert_side_files_are_fresh(store, tmp_path, removed.stderr)
    final = _graphs(store)
    assert gone not in final
    assert {g: qs for g, qs in final.items() if g != minter.corpus_graph().value} == \
        {g: qs for g, qs in after.items() if g not in (gone, minter.corpus_graph().value)}
    corpus = " ".join(final[minter.corpus_graph().value])
    assert only_there and not any(f"<{e}>" in corpus for e in only_there), "entities only it named are gone"
    assert entities_before - only_there <= _entities(store), "the other entities keep their IRIs"
    store_ = open_store(store, read_only=True)
    orphans = list(store_.query(sparql_prefixes() + """SELECT ?e WHERE { GRAPH ?c { ?e akg:mentionCount ?n }
        FILTER NOT EXISTS { GRAPH ?g { ?m oa:hasBody ?e } } }""", use_default_graph_as_union=False))
    assert not orphans, "no entity is left without a mention"
    del store_

    missing = run_archivekg("remove", "no-such-file.txt", "--store", str(store), check=False)
    assert missing.returncode == 2 and "no-such-file.txt: not in the store" in missing.stderr


@pytest.mark.parametrize("how", [["--workers", "2"], ["--dask", "local", "--workers", "2"]], ids=["workers", "dask"])
def test_parallel_builds_give_the_same_graphs(tmp_path, how):
    """Two worker processes here, or the tasks of a Dask cluster (a LocalCluster of two worker processes
    started by the build), read the files: the graphs are those of one process (provenance and VoID,
    which record the build itself, aside)."""
    src = seed_folder(tmp_path / "src", SEED_NAMES)
    one, many = tmp_path / "one", tmp_path / "many"
    run_archivekg("build", str(src), "--store", str(one))
    out = run_archivekg("build", str(src), "--store", str(many), *how)
    assert "built 3 file(s):" in out.stdout
    assert _graphs(one) == _graphs(many)
    total = len(open_store(many, read_only=True))
    for fmt in dump_formats():  # written by a process of their own, from the finished store
        data = gzip.decompress((dumps_folder(current_version(many)) / dump_name(fmt)).read_bytes())
        assert len(list(ox.parse(data, format=fmt.rdf))) == total, fmt.name
