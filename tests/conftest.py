"""Shared fixtures: a real store built from the real seed documents, and a real server over HTTP."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# Every input file of seeds/, in build order: the three seeds, then corpus/ and corpus2/.
SEED_FILES = sorted(SEEDS.glob("*.txt")) + sorted((SEEDS / "corpus").glob("*.txt")) + sorted((SEEDS / "corpus2").glob("*.txt"))
ARCHIVEKG = [str(Path(sys.executable).parent / "archivekg")]
# Debian's Chromium, driven by Playwright (which never downloads a browser here); screenshots are kept out of git.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "tests" / "screenshots"


def run_archivekg(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run the real `archivekg` command, as a user would."""
    proc = subprocess.run([*ARCHIVEKG, *args], capture_output=True, text=True, cwd=ROOT, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"archivekg {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def extractor():
    """The extractor as `archivekg build` configures it (the spaCy model loads once per process)."""
    from extract.pipeline import Extractor
    return Extractor()


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> Path:
    """A store built from seeds/ (the three seeds and the corpus) by `archivekg build`."""
    store = tmp_path_factory.mktemp("store") / "oxigraph"
    run_archivekg("build", str(SEEDS), "--store", str(store))
    return store


def select(server: str, query: str, **params) -> list[dict[str, str]]:
    """Rows of a SELECT on the real endpoint (our prefixes declared), each value as a string."""
    from graph.iris import sparql_prefixes

    r = requests.get(server + "/sparql", params={"query": sparql_prefixes() + query, **params},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def copy_of(store: Path, tmp_path: Path, name: str = "store") -> Path:
    """A private copy of a built store, for a test that writes to it."""
    target = tmp_path / name
    shutil.copytree(store, target, symlinks=True)  # a store folder links to its current version
    return target


def seed_folder(folder: Path, names: list[str]) -> Path:
    """A folder holding copies of these seed files, for a test that builds or changes them."""
    folder.mkdir()
    for name in names:
        shutil.copy(SEEDS / name, folder / name)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [*ARCHIVEKG, "serve", "--store", str(store), "--port", str(port), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(url + "/", timeout=2).status_code == 200:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("server did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    """One real Chromium for every browser test."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def serve_text(folder: Path, name: str, text: str) -> tuple[subprocess.Popen, str, Path]:
    """Build a store from one document of the given text with the real command, and serve it."""
    (folder / name).write_text(text, encoding="utf-8")
    store = folder / "store"
    run_archivekg("build", str(folder / name), "--store", str(store))
    proc, url = start_server(store)
    return proc, url, store


@pytest.fixture(scope="session")
def server(seed_store) -> str:
    """The base URL of `archivekg serve` running on the seed store."""
    proc, url = start_server(seed_store, "--query-timeout", "3")
    yield url
    stop_server(proc)
