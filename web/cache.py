"""Rendered pages kept per store version: the app's store is read-only while it is served, so a page
rendered once is the page until the store changes; a hub's page then costs one render, not one per reader."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable


class PageCache:
    """A bounded LRU of rendered HTML, keyed by URL within one store version."""

    def __init__(self, version: str, max_entries: int = 1024):
        self.version = version
        self.max_entries = max_entries
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, url: str, render: Callable[[], object]):
        """The page at this URL: from the cache, else rendered (only HTML text is kept, never errors or redirects)."""
        key = f"{self.version} {url}"
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                self.hits += 1
                return page
        self.misses += 1
        page = render()
        if isinstance(page, str):
            with self._lock:
                self._pages[key] = page
                while len(self._pages) > self.max_entries:
                    self._pages.popitem(last=False)
        return page
