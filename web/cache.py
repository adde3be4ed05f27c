"""Rendered pages kept per store version: the app's store is read-only while it is served, so a page
rendered once is the page until the store changes; a hub's page then costs one render, not one per reader.

Two layers: an in-memory LRU filled as pages are asked for, and the pages rendered at build time
(`pages.sqlite` in the store folder, written by web.precompute), which answer the bare URL of every entity
page from the first request on. The file is used only if it was written for this store version by this
code (its fingerprint: the web package's source and templates); otherwise it is ignored and pages render live.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Callable

PRECOMPUTED_FILE = "pages.sqlite"
WEB_DIR = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """A hash of everything that shapes a page: the web package's Python, templates and static files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in WEB_DIR.rglob("*") if p.is_file() and p.suffix in {".py", ".html", ".js", ".css"}):
        digest.update(path.relative_to(WEB_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_key(url: str) -> str:
    """The cache key of a URL: Werkzeug's full_path ends in "?" when there is no query string."""
    return url[:-1] if url.endswith("?") else url


class PrecomputedPages:
    """Read-only access to the pages rendered at build time, if they match this store version and code."""

    def __init__(self, store_path: str | Path, version: str):
        self.path = Path(store_path) / PRECOMPUTED_FILE
        self.usable = False
        self._local = threading.local()
        if self.path.is_file():
            try:
                meta = dict(self._db().execute("SELECT key, value FROM meta"))
                self.usable = meta.get("version") == version and meta.get("code") == code_fingerprint()
            except sqlite3.Error:
                self.usable = False

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        return db

    def get(self, url: str) -> str | None:
        if not self.usable:
            return None
        try:
            row = self._db().execute("SELECT html FROM pages WHERE url = ?", (page_key(url),)).fetchone()
        except sqlite3.Error:
            return None
        return zlib.decompress(row[0]).decode() if row else None


class PageCache:
    """A bounded LRU of rendered HTML, keyed by URL within one store version, over the precomputed pages."""

    def __init__(self, version: str, max_entries: int = 1024, precomputed: PrecomputedPages | None = None):
        self.version = version
        self.max_entries = max_entries
        self.precomputed = precomputed
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, url: str, render: Callable[[], object]):
        """The page at this URL: from the cache, else rendered (only HTML text is kept, never errors or redirects)."""
        key = f"{self.version} {page_key(url)}"
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                self.hits += 1
                return page
        page = self.precomputed.get(url) if self.precomputed else None
        if page is None:
            self.misses += 1
            page = render()
        else:
            self.hits += 1
        if isinstance(page, str):
            with self._lock:
                self._pages[key] = page
                while len(self._pages) > self.max_entries:
                    self._pages.popitem(last=False)
        return page
