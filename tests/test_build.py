"""`archivekg build` on a real store on disk: named graphs, idempotency, bad input that loses nothing."""
from __future__ import annotations

from pathlib import Path


from conftest import SEEDS, SEED_FILES, copy_of, run_archivekg
from graph.store import open_store

BASE = "https://kg.example/"


BUILD_GRAPHS = {f"{BASE}graph/void", f"{BASE}graph/provenance"}  # what each build says of itself: times differ


def quads(store_path: Path) -> set[str]:
    """The store's data: every graph but the build's own description (VoID counts and times, provenance)."""
    store = open_store(store_path, read_only=True)
    return {str(q) for q in store if q.graph_name.value not in BUILD_GRAPHS}


def graphs(store_path: Path) -> set[str]:
    return {g.value for g in open_store(store_path, read_only=True).named_graphs()}


def test_one_named_graph_per_file_plus_corpus_ontology_void_and_provenance(seed_store):
    names = graphs(seed_store)
    files = SEED_FILES
    assert len(names) == len(files) + 4
    assert f"{BASE}graph/corpus" in names and "https://w3id.org/archivekg/ns" in names
    assert BUILD_GRAPHS <= names
    assert f"{BASE}graph/000-9af72bc09fc97839" in names


def test_building_twice_gives_the_same_triples(tmp_path, seed_store):
    store = copy_of(seed_store, tmp_path, "again")
    run_archivekg("build", str(SEEDS), "--store", str(store))
    assert quads(store) == quads(seed_store)


def test_rebuilding_one_file_touches_only_its_graph(tmp_path, seed_store):
    store = copy_of(seed_store, tmp_path, "one")
    run_archivekg("build", str(SEEDS / "001_16b4ceed8b7928de.txt"), "--store", str(store))
    assert quads(store) == quads(seed_store)


def test_bad_files_are_named_skipped_and_lose_nothing(tmp_path, seed_store):
    store = copy_of(seed_store, tmp_path, "bad")
    before = quads(store)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "empty.txt").write_bytes(b"")
    (mixed / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (mixed / "latin1.txt").write_bytes("Telegram from Tabriz: General Derakhshani r\xe9pond.".encode("latin-1"))
    (mixed / "huge.txt").write_text("Tabriz. " * 20_000)
    (mixed / "good.txt").write_text("On 3 May General Glinsky arrived in the city of Tabriz.\n")
    proc = run_archivekg("build", str(mixed), "--store", str(store), "--max-bytes", "100000", check=False)
    assert proc.returncode == 1
    for name, problem in [("empty.txt", "empty"), ("image.txt", "binary"), ("latin1.txt", "UTF-8"),
                          ("huge.txt", "too large")]:
        line = next(line for line in proc.stderr.splitlines() if line.startswith("skipped ") and name in line)
        assert problem in line, (name, proc.stderr)
    after = quads(store)
    assert before - after <= {q for q in before if "graph/corpus" in q}  # only the corpus graph is recomputed
    assert f"{BASE}graph/good" in graphs(store)
    assert len(graphs(store)) == len(graphs(seed_store)) + 1


def test_a_missing_path_is_an_error(tmp_path):
    proc = run_archivekg("build", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s"), check=False)
    assert proc.returncode == 2
    assert "nowhere" in proc.stderr
