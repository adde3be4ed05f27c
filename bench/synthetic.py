"""A synthetic store of any size with the seeds store's shape, for benchmarks at archive scale.

The seeds store's file graphs are copied N times, each copy with its own IRIs for everything a file
owns (documents, sentences, mentions, events, roles, the file and its graph: `doc/c7-000-9af…`); the
entities (the corpus graph's subjects) are shared, so a hub such as person/stalin gets N times the
mentions, as in a real large archive. The corpus graph is copied once with its mention counts scaled,
the ontology graph as it is; the VoID description (the pages find the dataset's base through it) and
the search index and the pages rendered at build time (web.precompute) are made anew; there is no provenance graph and no dump. Copy 0 keeps the seeds' IRIs.

    python bench/synthetic.py OUT [--source STORE] [--triples 1000000 | --copies N]

Written with pyoxigraph's bulk loader from a generator that holds one file graph's quads at a time
(1M quads: about 35 s and 1 GB peak memory, the loader's batches).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.iris import Minter, ontology_graph, term  # noqa: E402
from graph.publish import DatasetInfo, now, void_quads  # noqa: E402
from graph.search_index import write_search_index  # noqa: E402
from graph.store import open_store, stored_base  # noqa: E402
from web.precompute import precompute_pages  # noqa: E402


def seeds_store(path: Path) -> Path:
    """The store `archivekg build seeds/` makes, built at `path` unless it is already there."""
    if not (path / "CURRENT").is_file():
        proc = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "build", str(ROOT / "seeds"),
                               "--store", str(path)], cwd=ROOT, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"archivekg build seeds/ failed:\n{proc.stdout}{proc.stderr}")
    return path


def _renamer(base: str, shared: set[str], copy: int):
    """A function mapping a term of copy 0 to the same term in copy `copy`: every dataset IRI but the
    shared entities gets the copy's tag after its first path segment."""
    tag = f"c{copy}-"

    def rename(t):
        if isinstance(t, ox.NamedNode) and t.value.startswith(base) and t.value not in shared \
                and "/" in t.value[len(base):]:
            cut = t.value.index("/", len(base)) + 1
            return ox.NamedNode(t.value[:cut] + tag + t.value[cut:])
        if isinstance(t, ox.BlankNode):
            return ox.BlankNode(f"{t.value}{tag[:-1]}")
        return t

    return rename


def _copies(source: ox.Store, file_graphs: list[ox.NamedNode], base: str, shared: set[str], copies: int):
    """Every file graph's quads, once per copy, renamed (copy 0 as it is)."""
    for graph in file_graphs:
        quads = list(source.quads_for_pattern(None, None, None, graph))
        yield from quads
        for copy in range(1, copies):
            r = _renamer(base, shared, copy)
            for q in quads:
                yield ox.Quad(r(q.subject), q.predicate, r(q.object), r(q.graph_name))


def _corpus(source: ox.Store, corpus: ox.NamedNode, copies: int):
    """The corpus graph with each akg:mentionCount multiplied by the number of copies."""
    count = term("akg:mentionCount")
    for q in source.quads_for_pattern(None, None, None, corpus):
        if q.predicate == count:
            yield ox.Quad(q.subject, q.predicate, ox.Literal(str(int(q.object.value) * copies),
                                                              datatype=q.object.datatype), q.graph_name)
        else:
            yield q


def _file_graphs(source: ox.Store, minter: Minter) -> list[ox.NamedNode]:
    special = {minter.corpus_graph(), minter.void_graph(), minter.provenance_graph(), ontology_graph()}
    graphs = sorted((g for g in source.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    return [g for g in graphs if g not in special and g.value.startswith(minter.base + "graph/")]


def copies_for(source_path: Path, quads: int) -> int:
    """How many copies of the file graphs make a store of about `quads` quads."""
    source = open_store(source_path, read_only=True)
    per_copy = sum(1 for g in _file_graphs(source, Minter(stored_base(source)))
                   for _ in source.quads_for_pattern(None, None, None, g))
    return max(1, round((quads - (len(source) - per_copy)) / per_copy))


def make_synthetic(source_path: Path, out: Path, copies: int) -> int:
    """Write the synthetic store at `out` (replacing it); returns its number of quads."""
    source = open_store(source_path, read_only=True)
    base = stored_base(source)
    minter = Minter(base)
    file_graphs = _file_graphs(source, minter)
    shared = {q.subject.value for q in source.quads_for_pattern(None, None, None, minter.corpus_graph())}
    if out.exists():
        shutil.rmtree(out)
    store = open_store(out)
    store.bulk_extend(_copies(source, file_graphs, base, shared, copies))
    store.bulk_extend(_corpus(source, minter.corpus_graph(), copies))
    store.bulk_extend(source.quads_for_pattern(None, None, None, ontology_graph()))
    store.bulk_extend(void_quads(store, minter, DatasetInfo(), now()))
    store.flush()
    store.optimize()
    write_search_index(store, out)
    n = len(store)
    del store
    precompute_pages(out)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", type=Path, help="a built store (default: seeds/ built into OUT.seeds)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--triples", type=int, default=1_000_000, help="about this many quads (default 1M)")
    size.add_argument("--copies", type=int, help="this many copies of the file graphs")
    args = parser.parse_args()
    source = args.source or seeds_store(args.out.with_name(args.out.name + ".seeds"))
    copies = args.copies or copies_for(source, args.triples)
    start = time.perf_counter()
    n = make_synthetic(source, args.out, copies)
    print(f"{args.out}: {n:,} quads ({copies} copies of {source}) in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
