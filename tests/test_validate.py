"""`archivekg validate`: the seeds store conforms to ontology/shapes.ttl, and broken copies of it do not."""
from __future__ import annotations

import gc

from pyoxigraph import Literal, Quad, Store

from conftest import copy_of, run_archivekg
from graph.iris import PREFIXES, term
from graph.store import current_version


def test_seed_store_conforms(seed_store):
    proc = run_archivekg("validate", "--store", str(seed_store), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    store = Store.read_only(str(current_version(seed_store)))
    events = len(list(store.query("SELECT DISTINCT ?e WHERE { ?e a/rdfs:subClassOf akg:Event }",
                                  use_default_graph_as_union=True, prefixes=PREFIXES)))
    nodes = int(summary.split()[0])
    assert events > 100 and nodes > events  # every event is a focus node, reached through its subclass
    assert summary.endswith("the graph conforms")


def test_broken_copy_names_the_event_and_the_document(seed_store, tmp_path):
    path = copy_of(seed_store, tmp_path)
    store = Store(str(current_version(path)))  # the published version, written in place for this test
    event, doc = (next(iter(store.query(q, use_default_graph_as_union=True, prefixes=PREFIXES)))[0] for q in (
        "SELECT ?e WHERE { ?e a/rdfs:subClassOf akg:Event } ORDER BY ?e LIMIT 1",
        "SELECT ?d WHERE { ?d a akg:Document ; dcterms:date ?x } ORDER BY ?d LIMIT 1"))
    for q in list(store.quads_for_pattern(event, term("akg:evidence"), None)):
        store.remove(q)
    for q in list(store.quads_for_pattern(doc, term("dcterms:date"), None)):
        store.remove(q)
        store.add(Quad(q.subject, q.predicate, Literal(q.object.value), q.graph_name))  # a plain string
    store.flush()
    del store
    gc.collect()  # releases the store's lock for the command

    proc = run_archivekg("validate", "--store", str(path), check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith(f"{event.value}  akg:evidence  needs akg:evidence") for line in lines), proc.stdout
    assert any(line.startswith(f"{doc.value}  dcterms:date  ") and "xsd:date" in line for line in lines), proc.stdout
    assert "violation(s)" in lines[-1]


def test_missing_store_is_a_clear_error(tmp_path):
    proc = run_archivekg("validate", "--store", str(tmp_path / "nowhere"), check=False)
    assert proc.returncode == 1
    assert "no store here" in proc.stderr
