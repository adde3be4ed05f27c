"""The on-disk Oxigraph store: one named graph per source file, one for the corpus, one for the ontology.

A store folder (`--store data/store`) holds versions: `current` is a link to the published one
(`v-20261123T182200123456/`: the Oxigraph database with its search index, dumps and rendered pages).
A build writes a new version beside it, starting from a copy of the current one (RocksDB's checkpoint:
hard links, instant), and publishes it by renaming a new link over `current`, so a reader sees the old
version whole until then and the new one whole after; a build that dies leaves the published version as
it was. The version before is kept for readers still on it; older ones are removed by the next build.
A folder that is itself a database (made before versions, or by another tool) is read as it is.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from pyoxigraph import Quad, Store

from graph.iris import configured_base, sparql_prefixes

DEFAULT_STORE = "data/store"


class StoreError(Exception):
    """The store cannot be opened (missing, locked by a running build, or not a store)."""


CURRENT_LINK = "current"


def current_version(path: str | Path) -> Path:
    """The folder of the store's published version (a store folder without versions is its own)."""
    link = Path(path) / CURRENT_LINK
    return link.resolve() if link.exists() else Path(path)


@contextmanager
def new_version(path: str | Path) -> Iterator[Path]:
    """A new version of the store to write into, published when the block ends without an error (and
    removed if it raises). One build at a time: a second one is refused while the first runs."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{path}: another build is writing this store") from None
        current = current_version(path)
        target = path / f"v-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}"
        if (current / "CURRENT").is_file():  # a database to start from
            Store.read_only(str(current)).backup(str(target))
        try:
            yield target
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        link = path / f".{CURRENT_LINK}-{target.name}"
        os.symlink(target.name, link)  # relative, so the store folder can be moved or copied
        os.replace(link, path / CURRENT_LINK)
        for old in path.glob("v-*"):
            if old.name not in {target.name, current.name}:
                shutil.rmtree(old, ignore_errors=True)


def open_store(path: str | Path, read_only: bool = False) -> Store:
    """Open a store folder's published version read-only (what every server and query process does), or
    open a version folder to write into it (see `new_version`)."""
    path = Path(path)
    if read_only:
        path = current_version(path)
        if not path.is_dir():
            raise StoreError(f"{path}: no store here; run `archivekg build` first")
        try:
            return Store.read_only(str(path))
        except OSError as err:
            raise StoreError(f"{path}: cannot open the store read-only: {err}") from err
    if (path / CURRENT_LINK).exists():
        raise StoreError(f"{path}: a published store is written only through a new version (graph.store.new_version)")
    path.mkdir(parents=True, exist_ok=True)
    try:
        return Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store (is a build running?): {err}") from err


def replace_graph(store: Store, graph, quads: list[Quad]) -> None:
    """Replace one named graph with new quads (in a version no reader sees until it is published)."""
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.extend(quads)


class GraphLoader:
    """Replaces many named graphs, their quads written through Oxigraph's bulk loader in chunks: about three
    times faster than a transaction per graph, and safe, since the version is not published yet."""

    CHUNK = 20_000  # quads per load: large enough to be fast, small enough to keep memory flat

    def __init__(self, store: Store):
        self.store = store
        self.pending: list[Quad] = []

    def replace(self, graph, quads: list[Quad]) -> None:
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)
        self.pending.extend(quads)
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.bulk_extend(self.pending)
            self.pending = []


def stored_base(store: Store) -> str:
    """The dataset base the build recorded (void:uriSpace), so readers mint the IRIs the data has."""
    rows = list(store.query(sparql_prefixes() + "SELECT ?b WHERE { GRAPH ?g { ?d a void:Dataset ; void:uriSpace ?b } } LIMIT 1"))
    return configured_base(rows[0]["b"].value if rows else None)
