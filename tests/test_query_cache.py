"""The SPARQL result cache and the serving processes: a repeated query is answered without a query
process, a volatile one is evaluated every time, the cache stays within its bound, and `archivekg serve`
runs one serving process per core."""
from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from conftest import start_server, stop_server
from graph.iris import sparql_prefixes
from web.server import default_web_workers
from web.sparql import QueryPool, QueryResult, ResultCache, is_volatile

PERSONS = "SELECT ?e ?label WHERE { ?e a akg:Person ; rdfs:label ?label } ORDER BY ?e LIMIT 5"


@pytest.fixture()
def pool(seed_store):
    pool = QueryPool(str(seed_store), size=1, timeout=2.0)
    pool.start()
    yield pool
    pool.close()


def test_a_repeat_is_answered_without_a_query_process(pool):
    first = pool.run(PERSONS)
    assert first.status == 200 and b"/person/" in first.body
    (pid,) = pool.pids()
    os.kill(pid, signal.SIGSTOP)  # the only query process answers nothing from now on
    try:
        start = time.monotonic()
        again = pool.run(PERSONS)
        assert again.status == 200 and again.body == first.body
        assert time.monotonic() - start < 0.5
        # another format of the same query is another answer: it needs the (stopped) process, which is
        # killed at the deadline
        csv = pool.run(PERSONS, solutions_format="CSV")
        assert csv.status == 503 and b"time limit" in csv.body
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def test_volatile_queries_are_evaluated_every_time(pool):
    query = "SELECT (STRUUID() AS ?id) WHERE {}"
    a, b = pool.run(query), pool.run(query)
    assert a.status == b.status == 200
    assert a.body != b.body


@pytest.mark.parametrize("query, volatile", [
    ("SELECT (NOW() AS ?t) WHERE {}", True),
    ("SELECT (rand () AS ?r) WHERE {}", True),
    ("SELECT * WHERE { ?s ?p ?o BIND(BNODE() AS ?b) }", True),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s <http://example.org/#a(b)> ?o BIND(UUID() AS ?u) }", True),
    (sparql_prefixes() + PERSONS, False),  # sd: is ...sparql-service-description#, not SERVICE
    ('SELECT * WHERE { ?s ?p "rand()" }', False),
    ("SELECT * WHERE { ?s ?p ?o } # now()", False),
])
def test_volatile_queries_are_recognised(query, volatile):
    assert is_volatile(query) == volatile


def test_the_cache_keeps_the_most_recent_results_within_its_bound():
    cache = ResultCache(max_bytes=8000)
    key = lambda i: (f"q{i:02}", "JSON", "turtle", (), ())  # noqa: E731
    for i in range(20):
        cache.put(key(i), QueryResult(200, "text/csv", b"x" * 900))
        cache.get(key(0))  # used again and again, so kept
    kept = [i for i in range(20) if cache.get(key(i)) is not None]
    assert kept == [0, 13, 14, 15, 16, 17, 18, 19]
    cache.put(("big", "JSON", "turtle", (), ()), QueryResult(200, "text/csv", b"x" * 1001))  # over 1/8 of the bound
    assert cache.get(("big", "JSON", "turtle", (), ())) is None


def test_one_serving_process_per_core(seed_store):
    proc, _ = start_server(seed_store, "--query-workers", "2")
    try:
        children = psutil.Process(proc.pid).children()
        serving = [c for c in children if "web.sparql" not in c.cmdline()]
        assert len(serving) == default_web_workers() == min(4, len(os.sched_getaffinity(0)))
    finally:
        stop_server(proc)
