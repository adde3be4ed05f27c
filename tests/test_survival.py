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

from conftest import ARCHIVEKG, ROOT, SEEDS, seed_folder, start_server, stop_server
from graph.iris import sparql_prefixes
from graph.store import current_version, open_store
from test_build_scale import SEED_NAMES, _graphs

pytestmark = pytest.mark.slow


def _build(src, store, *extra) -> subprocess.Popen:
    return subprocess.Popen([*ARCHIVEKG, "build", str(src), "--store", str(store), *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_killed_builds_leave_the_published_store_whole(tmp_path):
    src = seed_folder(tmp_path / "src", SEED_NAMES)
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
    src = seed_folder(tmp_path / "src", SEED_NAMES[:2])
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


def test_bad_inputs_of_every_kind_are_reported_and_the_rest_builds(tmp_path):
    src = seed_folder(tmp_path / "src", SEED_NAMES[:1])
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (src / "latin1.txt").write_bytes("Telegram from Tabriz: General Derakhshani r\xe9pond.".encode("latin-1"))
    with open(src / "huge.txt", "w", encoding="utf-8") as f:  # 50 MB, ten times the default limit
        for _ in range(50):
            f.write("Tabriz. " * 131_072)
    sentences = [f"On {d} November 1945 the partisans disarmed the gendarmerie post at Sarab." for d in range(1, 29)]
    (src / "soup.txt").write_text("<html><body><div class='x'><p>" + " ".join(sentences * 8) + "</p></div></body></html>",
                                  encoding="utf-8")
    listing = (SEEDS / "003_c0d2bb1156087dbf.txt").read_text(encoding="utf-8").splitlines()[:5]
    (src / "listing.txt").write_text("\n".join(listing) + "\n\nNo documents found.\n", encoding="utf-8")
    seed = (SEEDS / SEED_NAMES[1]).read_text(encoding="utf-8")
    (src / "cut.txt").write_text(seed[: len(seed) // 2].rstrip() + "Derakh", encoding="utf-8")  # cut mid-word
    gone = tmp_path / "gone.txt"
    gone.write_text("Bagirov arrived in Tabriz.", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(gone)
    gone.unlink()  # the file named on the command line is gone by the time the build reaches it

    store = tmp_path / "store"
    proc = subprocess.run([*ARCHIVEKG, "build", str(src), str(tmp_path / "link.txt"), "--store", str(store)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for name, problem in [("empty.txt", "empty"), ("binary.txt", "binary"), ("latin1.txt", "not UTF-8"),
                          ("huge.txt", "too large"), ("link.txt", "no such file")]:
        assert any(name in line and problem in line for line in proc.stderr.splitlines()), (name, proc.stderr)
    graphs = {g.rsplit("/", 1)[-1] for g in _graphs(store)}
    assert {"000-9af72bc09fc97839", "soup", "cut"} <= graphs, graphs
    events = list(open_store(store, read_only=True).query(
        sparql_prefixes() + "SELECT ?e WHERE { GRAPH <https://kg.example/graph/soup> { ?e a akg:Disarmament } }"))
    assert len(events) >= 28, "the one-paragraph page of HTML soup is read, one event a sentence"
