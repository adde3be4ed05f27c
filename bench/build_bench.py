"""Benchmark: build time and peak memory of `archivekg build` on the seeds, and a query's latency.

Prints numbers and ratios (per file, per document, per mention); run with `make bench`.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout's own code, run from its folder: the same script measures an older checkout (a worktree).
ARCHIVEKG = [sys.executable, "-c", "from web.cli import main; main()"]


def run(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([*ARCHIVEKG, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - start, proc.stdout


def main() -> None:
    files = sorted((ROOT / "seeds").rglob("*.txt"))
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in files)
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "store")
        cold, summary = run("build", "seeds", "--store", store)
        warm, _ = run("build", "seeds", "--store", store)
        one, _ = run("build", str(files[0]), "--store", store)
        query = ("SELECT ?a ?r ?d WHERE { ?e a akg:Communication ; akg:agent ?a ; akg:recipient ?r ; akg:date ?d }")
        q, _ = run("query", query, "--store", store)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = sum(p.stat().st_size for p in Path(store).rglob("*") if p.is_file()) / 2**20
    said = summary.split()
    documents, mentions = int(said[said.index("documents,") - 1]), int(said[said.index("mentions,") - 1])
    print(summary.strip())
    print(f"files                  {len(files)}   words {words}")
    print(f"words per second       {words / cold:7.0f}   (new store, start-up included)")
    print(f"build, new store       {cold:7.2f} s   {cold / len(files):6.3f} s/file   {1000 * cold / mentions:6.2f} ms/mention")
    print(f"rebuild, same store    {warm:7.2f} s   ratio to new {warm / cold:5.2f}")
    print(f"rebuild one file       {one:7.2f} s   ratio to all {one / cold:5.2f} (model load dominates)")
    print(f"CLI query (with start) {q:7.2f} s")
    print(f"peak memory (children) {peak_mb:7.0f} MiB")
    print(f"store on disk          {size_mb:7.1f} MiB  for {documents} documents")


if __name__ == "__main__":
    main()
