"""Entity pages rendered at build time (web.precompute): served for the bare URL, equal to a live render,
and ignored when they were written for another store version or another version of the code."""
from __future__ import annotations

import sqlite3
import zlib

import requests

from conftest import copy_of, select, start_server, stop_server
from graph.store import current_version
from web.cache import PRECOMPUTED_FILE


def _entity_paths(server: str) -> list[str]:
    rows = select(server, """SELECT ?e WHERE { VALUES ?t { akg:Person akg:Place akg:Organization akg:Group }
        ?e a ?t ; akg:mentionCount ?c } ORDER BY DESC(?c) ?e""")
    return [r["e"].split("/", 3)[3] for r in rows]  # https://kg.example/person/x -> person/x


def test_build_renders_every_entity_page(seed_store, server):
    paths = _entity_paths(server)
    with sqlite3.connect(current_version(seed_store) / PRECOMPUTED_FILE) as db:
        stored = {url for (url,) in db.execute("SELECT url FROM pages")}
    assert {"/", "/events", "/map"} <= stored
    assert {"/" + p for p in paths} <= stored, "every entity page is rendered at build time"


def test_precomputed_page_equals_live_render(server):
    """The hubs and a spread of others: the bare URL (precomputed) and the same page with an ignored
    parameter (rendered live) are the same bytes."""
    paths = _entity_paths(server)
    sample = paths[:5] + paths[5::max(1, len(paths) // 15)]
    for path in sample:
        pre = requests.get(f"{server}/{path}", timeout=30)
        live = requests.get(f"{server}/{path}?live=1", timeout=60)
        assert pre.status_code == live.status_code == 200, path
        assert pre.text == live.text, f"/{path}: the precomputed page differs from a live render"


def test_file_is_used_only_for_its_store_version(seed_store, tmp_path, server):
    path = _entity_paths(server)[0]
    store = copy_of(seed_store, tmp_path)
    with sqlite3.connect(current_version(store) / PRECOMPUTED_FILE) as db:
        html = zlib.decompress(db.execute("SELECT html FROM pages WHERE url = ?", ("/" + path,)).fetchone()[0]).decode()
        marked = html.replace("</h1>", " MARK-PRECOMPUTED</h1>", 1)
        db.execute("UPDATE pages SET html = ? WHERE url = ?", (zlib.compress(marked.encode()), "/" + path))
    proc, url = start_server(store)
    try:
        assert "MARK-PRECOMPUTED" in requests.get(f"{url}/{path}", timeout=30).text, "the file answers the bare URL"
        assert "MARK-PRECOMPUTED" not in requests.get(f"{url}/{path}?mentions=0&x=1", timeout=60).text
    finally:
        stop_server(proc)
    with sqlite3.connect(current_version(store) / PRECOMPUTED_FILE) as db:
        db.execute("UPDATE meta SET value = 'another build' WHERE key = 'version'")
    proc, url = start_server(store)
    try:
        page = requests.get(f"{url}/{path}", timeout=60)
        assert page.status_code == 200 and "MARK-PRECOMPUTED" not in page.text, "a stale file is ignored"
        assert page.text == html
    finally:
        stop_server(proc)
