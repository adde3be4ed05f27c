"""Runaway queries are killed at the deadline, pages stay fast meanwhile, and nothing keeps burning CPU."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests

from conftest import start_server, stop_server

pytestmark = pytest.mark.slow

TIMEOUT = 2.0
RUNAWAY = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(STR(?c) != STR(?i)) }",
]


@pytest.fixture()
def slow_server(seed_store):
    """One serving process with both query workers, so the test knows which workers the runaway queries hit."""
    proc, url = start_server(seed_store, "--query-timeout", str(TIMEOUT), "--query-workers", "2", "--web-workers", "1")
    yield proc, url
    stop_server(proc)


def query_workers(proc) -> list[psutil.Process]:
    """The server's SPARQL worker processes (`python -m web.sparql`)."""
    out = []
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            if "web.sparql" in child.cmdline():
                out.append(child)
        except psutil.NoSuchProcess:
            pass
    return out


def wait_for_workers(proc, n: int, within: float = 30) -> list[psutil.Process]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        workers = query_workers(proc)
        if len(workers) >= n:
            return workers
        time.sleep(0.2)
    raise AssertionError(f"expected {n} query workers, found {query_workers(proc)}")


def timed_get(url: str, **kwargs) -> tuple[requests.Response, float]:
    t0 = time.monotonic()
    r = requests.get(url, timeout=60, **kwargs)
    return r, time.monotonic() - t0


def test_runaway_queries_are_killed(slow_server):
    proc, url = slow_server
    ok = timed_get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})[0]
    assert ok.status_code == 200
    before = {p.pid for p in wait_for_workers(proc, 2)}
    entity = requests.get(url + "/person/", timeout=10).text.split('href="/person/', 1)[1].split('"', 1)[0]

    with ThreadPoolExecutor(len(RUNAWAY)) as ex:
        futures = [ex.submit(timed_get, url + "/sparql", params={"query": q}) for q in RUNAWAY]
        time.sleep(0.5)
        # pages do not go through the query pool, so they stay fast while it is saturated
        for path in ["/", "/person/" + entity, "/doc/000_9af72bc09fc97839"]:
            r, took = timed_get(url + path)
            assert r.status_code == 200 and took < 1.0, (path, r.status_code, took)
        results = [f.result() for f in futures]

    for r, took in results:
        assert r.status_code != 200, r.text[:200]
        assert r.status_code == 503
        assert f"query exceeded the {TIMEOUT:g} s time limit" in r.text
        assert took <= TIMEOUT + 3, took

    # the killed workers are gone (reaped, not zombies), replacements exist, nothing burns CPU
    after = wait_for_workers(proc, 2)
    assert not (before & {p.pid for p in after})
    for pid in before:
        try:
            status = psutil.Process(pid).status()
        except psutil.NoSuchProcess:
            continue
        raise AssertionError(f"killed query worker {pid} still exists ({status})")
    r = requests.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"}, timeout=30)
    assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0
    time.sleep(1.0)  # let the replacement processes finish starting
    children = psutil.Process(proc.pid).children(recursive=True)
    for c in children:
        c.cpu_percent(None)
    time.sleep(1.0)
    busy = {c.pid: c.cpu_percent(None) for c in children if c.is_running()}
    assert all(pct < 10 for pct in busy.values()), busy


def test_waiting_for_a_busy_pool_is_bounded(slow_server):
    """More runaway queries than workers: the extra ones wait only until their own deadline."""
    proc, url = slow_server
    wait_for_workers(proc, 2)
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda q: timed_get(url + "/sparql", params={"query": q}), [RUNAWAY[0]] * 4))
    for r, took in results:
        assert r.status_code == 503 and "time limit" in r.text
        assert took <= TIMEOUT + 3, took
    r = requests.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True
