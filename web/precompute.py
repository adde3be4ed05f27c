"""Render every entity page at build time, so no reader waits for a hub's aggregation.

An entity page gathers the entity's mentions by document, the names it is written under, its ego network
and its timeline: on a store of a million quads a hub's page takes a third of a second to a second to
render, most of it in those aggregations. They depend only on the store, which does not change while it
is served, so `archivekg build` renders the bare URL of every entity page (and the home page, the
timeline and the map) once, through the app itself, and keeps the HTML compressed in `pages.sqlite`
beside the store. Other URLs (later pages of mentions, filtered timelines) render live and are cached
in memory (web.cache).
"""
from __future__ import annotations

import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Callable

from web.app import create_app
from web.cache import PRECOMPUTED_FILE, code_fingerprint

FIXED_PAGES = ["/", "/events", "/map"]


def precompute_pages(store_path: str | Path, echo: Callable[[str], None] = lambda _: None) -> int:
    """Write `pages.sqlite` for the store (replacing any older one whole); returns the number of pages."""
    app = create_app(str(store_path))
    pages = app.extensions["archivekg_pages"]
    urls = FIXED_PAGES + [pages.href(iri) for iri in pages.entity_iris()]
    target = Path(store_path) / PRECOMPUTED_FILE
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    written = 0
    client = app.test_client()
    with sqlite3.connect(partial) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE pages (url TEXT PRIMARY KEY, html BLOB)")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("version", pages.version()), ("code", code_fingerprint())])
        for url in urls:
            resp = client.get(url)
            if resp.status_code == 200 and resp.mimetype == "text/html":
                db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (url, zlib.compress(resp.get_data(), 6)))
                written += 1
    db.close()
    os.replace(partial, target)
    echo(f"precomputed {written} pages in {time.perf_counter() - started:.1f} s ({target})")
    return written
