"""Builds that die and servers under load: a build killed with SIGKILL at random points leaves the
published store whole and the next build completes; a server under 16 clients keeps answering every
request while a runaway query is cut at its deadline and a rebuild is swapped in."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import ARCHIVEKG, ROOT, SEEDS, start_server, stop_server
from graph.iris import sparql_prefixes
from graph.store import current_version, open_store
from test_build_scale import SEED_NAMES, _graphs

pytestmark = pytest.mark.slow


def _sources(folder, names):
    folder.mkdir()
    for name in names:
        shutil.copy(SEEDS / name, folder / name)
    return folder


def _build(src, store, *extra) -> subprocess.Popen:
    return subprocess.Popen([*ARCHIVEKG, "build", str(src), "--store", str(store), *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_killed_builds_leave_the_published_store_whole(tmp_path):
    src = _sources(tmp_path / "src", SEED_NAMES)
    store = tmp_path / "store"
    assert _build(src, store).wait(300) == 0
    published = _graphs(store)
    rng = random.Random(20261123)
    for delay in sorted(rng.uniform(0.5, 9.0) for _ in range(5)):  # start-up, reading, writing, pages, publishing
        proc = _build(src, store, "--force")
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)  # the build and any worker it started
        proc.wait()
        assert _graphs(store) == published, f"killed after {delay:.1f} s: the published store changed"
    assert _build(src, store, "--force").wait(300) == 0, "the next build completes"
    clean = tmp_path / "clean"
    assert _build(src, clean).wait(300) == 0
    assert _graphs(store) == _graphs(clean), "and gives what a clean build gives"
    versions = sorted(p.name for p in store.iterdir() if p.name.startswith("v-"))
    assert len(versions) <= 2, f"killed builds leave no versions behind: {versions}"


def test_server_answers_every_request_through_a_rebuild_and_a_runaway_query(tmp_path):
    src = _sources(tmp_path / "src", SEED_NAMES[:2])
    store = tmp_path / "store"
    assert _build(src, store).wait(300) == 0
    first = current_version(store)
    proc, url = start_server(store, "--query-timeout", "3")
    count = sparql_prefixes() + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    paths = ["/", "/person/bagirov", "/events", "/search?q=tabriz", "/place/tabriz", "/doc/000-9af72bc09fc97839"]
    failures: list[str] = []
    answered = [0]
    stop = time.monotonic() + 30

    def client(k: int) -> None:
        session = requests.Session()
        i = k
        while time.monotonic() < stop:
            i += 1
            try:
                if i % 3 == 0:
                    r = session.get(url + "/sparql", params={"query": count + f"\n# {k} {i}"},
                                    headers={"Accept": "application/sparql-results+json"}, timeout=30)
                else:
                    r = session.get(url + paths[i % len(paths)], timeout=30)
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.url}")
                answered[0] += 1
            except requests.RequestException as err:
                failures.append(f"{type(err).__name__}: {err}")

    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        time.sleep(5)
        runaway = requests.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                               timeout=30)
        assert runaway.status_code == 503 and "time limit" in runaway.text
        shutil.copy(SEEDS / SEED_NAMES[2], src / SEED_NAMES[2])
        assert _build(src, store).wait(300) == 0
        assert current_version(store) != first
        for t in threads:
            t.join()
        assert not failures, f"{len(failures)} of {answered[0]} requests failed: {failures[:5]}"
        assert answered[0] > 100
        rows = requests.get(url + "/sparql", params={"query": count}, headers={"Accept": "text/csv"}, timeout=30)
        assert int(rows.text.split()[1]) == len(open_store(store, read_only=True)), "it answers from the new version"
        assert "003-c0d2bb1156087dbf" in requests.get(url + "/doc/", timeout=30).text
    finally:
        stop_server(proc)
