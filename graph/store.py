"""The on-disk Oxigraph store: one named graph per source file, one for the corpus, one for the ontology."""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import Quad, Store

from graph.iris import configured_base, sparql_prefixes

DEFAULT_STORE = "data/store"


class StoreError(Exception):
    """The store cannot be opened (missing, locked by a running build, or not a store)."""


def open_store(path: str | Path, read_only: bool = False) -> Store:
    """Open the store; read-only opening is what every server and query process uses."""
    path = Path(path)
    if read_only:
        if not path.is_dir():
            raise StoreError(f"{path}: no store here; run `archivekg build` first")
        try:
            return Store.read_only(str(path))
        except OSError as err:
            raise StoreError(f"{path}: cannot open the store read-only: {err}") from err
    path.mkdir(parents=True, exist_ok=True)
    try:
        return Store(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store (is a build running?): {err}") from err


def replace_graph(store: Store, graph, quads: list[Quad]) -> None:
    """Replace one named graph with new quads in a single transaction, so a reader never sees half."""
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.extend(quads)


def stored_base(store: Store) -> str:
    """The dataset base the build recorded (void:uriSpace), so readers mint the IRIs the data has."""
    rows = list(store.query(sparql_prefixes() + "SELECT ?b WHERE { GRAPH ?g { ?d a void:Dataset ; void:uriSpace ?b } } LIMIT 1"))
    return configured_base(rows[0]["b"].value if rows else None)
