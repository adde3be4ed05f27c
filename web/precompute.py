"""Render every entity page at build time, so no reader waits for a hub's aggregation.

An entity page gathers the entity's mentions by document, the names it is written under, its ego network
and its timeline: on a store of a million quads a hub's page takes a third of a second to a second to
render, most of it in those aggregations. They depend only on the store, which does not change while it
is served, so `archivekg build` renders the bare URL of every entity page (and the home page, the
timeline and the map) once, through the app itself, and keeps the HTML compressed in `pages.sqlite`
beside the store. Other URLs (later pages of mentions, filtered timelines) render live and are cached
in memory (web.cache).

A build that changed a few files renders again only the pages those files can have changed, and copies
the rest from the previous version's file (written by the same code). A page shows its own entity's
mentions, names, events and co-mentions, which change only if a changed file names it; its ego network
also shows links between its neighbours, which change only for an entity linked to one named; its map
shows every located place with its mention count; and every page shows other entities' labels. So the
pages rendered again are those of the entities the changed files name (before or after the change) and
of the entities linked to them; every located entity's if any place's label, position or count changed;
and all of them if any label changed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Callable

from web.app import create_app
from web.cache import PRECOMPUTED_FILE, code_fingerprint
from web.ego import linked
from web.queries import Pages

FIXED_PAGES = ["/", "/events", "/map"]
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE pages (url TEXT PRIMARY KEY, html BLOB);
CREATE TABLE label (iri TEXT PRIMARY KEY, label TEXT);  -- every entity's label, as the pages show it
"""


def precompute_pages(store_path: str | Path, echo: Callable[[str], None] = lambda _: None,
                     previous: Path | None = None, touched: set[str] | None = None) -> int:
    """Write `pages.sqlite` for the store (replacing any older one whole); returns the number of pages
    rendered. Given the `previous` version's folder and the entities `touched` by the build (named, before
    or after, by the files it changed or removed), pages that cannot have changed are copied from there."""
    app = create_app(str(store_path))
    pages = app.extensions["archivekg_pages"]
    labels = pages.entity_labels()
    places = hashlib.sha256(json.dumps(pages.places(), sort_keys=True).encode()).hexdigest()
    old = Path(previous) / PRECOMPUTED_FILE if previous else None
    reused = _reusable(pages, old, touched, labels, places) if old and old.is_file() and touched is not None else set()
    target = Path(store_path) / PRECOMPUTED_FILE
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    written = 0
    client = app.test_client()
    with sqlite3.connect(partial) as db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("version", pages.version()), ("code", code_fingerprint()),
                                                          ("places", places)])
        db.executemany("INSERT INTO label VALUES (?, ?)", sorted(labels.items()))
        kept = {pages.href(iri) for iri in reused}
        if kept:
            db.execute("ATTACH DATABASE ? AS old", (str(old),))  # read only: nothing is written to it
            db.execute("CREATE TEMP TABLE kept (url TEXT PRIMARY KEY)")
            db.executemany("INSERT INTO kept VALUES (?)", [(url,) for url in kept])
            db.execute("INSERT INTO pages SELECT url, html FROM old.pages WHERE url IN (SELECT url FROM kept)")
            db.commit()
            db.execute("DETACH DATABASE old")
        for url in FIXED_PAGES + [pages.href(iri) for iri in sorted(labels) if iri not in reused]:
            resp = client.get(url)
            if resp.status_code == 200 and resp.mimetype == "text/html":
                db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (url, zlib.compress(resp.get_data(), 6)))
                written += 1
    db.close()
    os.replace(partial, target)
    echo(f"precomputed {written} pages in {time.perf_counter() - started:.1f} s, {len(kept)} kept from the "
         f"previous version ({target})")
    return written


def _reusable(pages: Pages, old: Path, touched: set[str], labels: dict[str, str], places: str) -> set[str]:
    """The entities whose page in the previous version's file is still their page (see the module's
    docstring): none if other code wrote it or a label changed."""
    try:
        with sqlite3.connect(f"{old.resolve().as_uri()}?mode=ro", uri=True) as db:
            meta = dict(db.execute("SELECT key, value FROM meta"))
            old_labels = dict(db.execute("SELECT iri, label FROM label"))
        db.close()
    except sqlite3.Error:
        return set()
    if meta.get("code") != code_fingerprint() or any(old_labels.get(i, label) != label for i, label in labels.items()):
        return set()
    stale = touched | linked(pages, touched)
    if meta.get("places") != places:
        stale |= {r["e"].value for r in pages.q("SELECT DISTINCT ?e WHERE { ?e geo:lat ?lat }")}
    return {iri for iri in labels if iri in old_labels} - stale
