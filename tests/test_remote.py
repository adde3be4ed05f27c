"""A build loaded into a real Oxigraph server (the PyPI `oxigraph` package's server, started on loopback):
the server ends up with the quads of the local store, a rebuild sends only what changed, and `remove`
drops the file's graph there too."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from conftest import free_port, run_archivekg, seed_folder
from graph.store import open_store
from test_build_scale import SEED_NAMES

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
BLANK = re.compile(r"_:[A-Za-z0-9]+")


@pytest.fixture
def oxigraph_server(tmp_path):
    assert OXIGRAPH, "the oxigraph server is installed with the test extra"
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "server"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/query", params={"query": "ASK {}"}, timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield url
    proc.kill()
    proc.wait()


def _server_quads(url: str) -> Counter:
    r = requests.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
    assert r.status_code == 200, r.text
    return Counter(BLANK.sub("_:b", line) for line in r.text.splitlines() if line.strip())


def _local_quads(store: Path) -> Counter:
    lines = (str(q) + " ." for q in open_store(store, read_only=True) if q.graph_name.value)
    return Counter(BLANK.sub("_:b", line) for line in lines)


def test_build_into_an_oxigraph_server(tmp_path, oxigraph_server):
    src = seed_folder(tmp_path / "src", SEED_NAMES)
    mirror = tmp_path / "mirror"
    endpoint = oxigraph_server + "/store"
    out = run_archivekg("build", str(src), "--store", endpoint, "--mirror", str(mirror))
    assert "built 3 file(s)" in out.stdout and "graph(s) sent" in out.stderr
    assert _server_quads(oxigraph_server) == _local_quads(mirror), "the server holds the local store's quads"

    embedded = tmp_path / "embedded"
    run_archivekg("build", str(src), "--store", str(embedded))
    own = lambda c: Counter({q: n for q, n in c.items() if "graph/provenance" not in q and "graph/void" not in q})  # noqa: E731
    assert own(_server_quads(oxigraph_server)) == own(_local_quads(embedded)), "the same graphs as an embedded build"

    changed = src / SEED_NAMES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOn 3 December 1945 Bagirov met Pishevari.\n",
                       encoding="utf-8")
    again = run_archivekg("build", str(src), "--store", endpoint, "--mirror", str(mirror))
    sent = int(re.search(r"(\d+) graph\(s\) sent", again.stderr).group(1))
    assert sent <= 5, f"one file changed: its graph and the corpus-wide ones are sent, not {sent}"
    assert _server_quads(oxigraph_server) == _local_quads(mirror)

    run_archivekg("remove", SEED_NAMES[2], "--store", endpoint, "--mirror", str(mirror))
    quads = _server_quads(oxigraph_server)
    assert not any("graph/003-c0d2bb1156087dbf>" in q for q in quads), "the file's graph is dropped there"
    assert quads == _local_quads(mirror)
