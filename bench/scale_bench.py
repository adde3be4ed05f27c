"""Benchmark: building at scale. Throughput against bare spaCy, parallel workers, peak memory as the corpus
grows, and an incremental rebuild after one file changes.

Corpora of 1x, 10x (and 100x) the development pages are copies of seeds/ under new file names (so
every copy is its own file and graph, and hubs grow as in a large archive). In the same run:

- bare: a process that loads the same spaCy model and runs `nlp.pipe` over the same texts (the floor
  any extractor built on it pays);
- `archivekg build` of the same files into a new store with 1 and 2 workers, start-up, model loading,
  the store, dumps, search index and rendered pages included; throughput as a ratio to bare;
- peak memory (RSS of the build process and its workers) at each scale;
- the same build again after one file changed (the incremental rebuild), against the full build;
- pushing the built store into a fresh Oxigraph server over HTTP (`--store URL`), the build excluded.

    python bench/scale_bench.py [--scales 1,10] [--workers 1,2] [--no-server]   # 100x: half an hour a worker count
"""
from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
# A command run with its own peak memory and its workers' printed at the end (RUSAGE_CHILDREN: the largest
# worker). It runs the checkout's own code from its folder.
MEASURED = """import resource, sys, runpy
sys.argv = [sys.argv[0]] + sys.argv[2:]
try:
    {body}
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"PEAK {{own}} {{kids}}", file=sys.stderr)
"""
BUILD = "from web.cli import main; main()"
BARE = """from pathlib import Path; from extract.ner import load_nlp
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).rglob("*.txt"))]
    nlp = load_nlp()
    for _ in nlp.pipe(texts): pass"""


def corpus(folder: Path, scale: int) -> tuple[Path, int]:
    """`scale` copies of every seeds/ file under new names; returns the folder and its word count."""
    out = folder / f"corpus-{scale}x"
    out.mkdir()
    words = 0
    for path in sorted((ROOT / "seeds").rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for k in range(scale):
            (out / f"c{k:03d}_{path.name}").write_text(text, encoding="utf-8")
            words += len(text.split())
    return out, words


def run(code: str, *args: str) -> tuple[float, int, int, str]:
    """Wall seconds, own peak MiB, largest worker's peak MiB, stdout."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURED.format(body=code), "x", *args], cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peaks = [line.split() for line in proc.stderr.splitlines() if line.startswith("PEAK ")]
    if proc.returncode != 0 or not peaks:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr[-3000:]}")
    return seconds, int(peaks[-1][1]), int(peaks[-1][2]), proc.stdout


def load_into_server(tmp: Path, folder: Path, scale: int) -> float:
    """Seconds to push a built mirror's graphs into a fresh Oxigraph server over HTTP (build excluded)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp / f"server-{scale}"), "--bind",
                               f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mirror = tmp / f"mirror-{scale}"
    try:
        time.sleep(1)
        run(BUILD, "build", str(folder), "--store", str(mirror))
        code = ("from graph.remote import push; from pathlib import Path\n    "
                f"push(Path({str(mirror)!r}), 'http://127.0.0.1:{port}/store', force=True)")
        seconds, _, _, _ = run(code)
        return seconds
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(mirror, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated multiples of the development pages")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--no-server", action="store_true", help="skip the load into an Oxigraph server "
                        "(it builds the corpus once more)")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    worker_counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        first_peak = None
        print(f"{'corpus':>8} {'files':>6} {'words':>9}  {'what':28} {'seconds':>8} {'words/s':>8} {'ratio':>6} "
              f"{'peak MiB':>9}")
        for scale in scales:
            folder, words = corpus(tmp, scale)
            files = len(list(folder.iterdir()))
            bare, bare_peak, _, _ = run(BARE, str(folder))

            def line(what: str, seconds: float, peak: int | str, ratio: str = "") -> None:
                print(f"{scale:>7}x {files:>6} {words:>9,}  {what:28} {seconds:8.1f} {words / seconds:8.0f} "
                      f"{ratio:>6} {peak:>9}", flush=True)

            line("bare nlp.pipe", bare, bare_peak)
            for workers in worker_counts:
                store = tmp / f"store-{scale}-{workers}"
                seconds, own, kids, _ = run(BUILD, "build", str(folder), "--store", str(store),
                                            "--workers", str(workers))
                peak = own + kids * workers if workers > 1 else own
                first_peak = first_peak or peak
                if workers == worker_counts[0]:
                    scale_peak = peak
                line(f"build, {workers} worker(s)", seconds, f"{peak}", f"{bare / seconds:.2f}x")
                if workers == worker_counts[0]:
                    full = seconds
                    changed = sorted(folder.iterdir())[0]
                    changed.write_text(changed.read_text(encoding="utf-8") + "\nBagirov met Pishevari on 3 December 1945.\n",
                                       encoding="utf-8")
                    again, own, _, _ = run(BUILD, "build", str(folder), "--store", str(store),
                                           "--workers", str(workers))
                    line("rebuild after 1 file changed", again, own, f"{again / full:.3f}")
                shutil.rmtree(store)
            if OXIGRAPH and not args.no_server:
                seconds = load_into_server(tmp, folder, scale)
                line("load into an Oxigraph server", seconds, "-", "")
            print(f"{'':8} peak memory, {worker_counts[0]} worker(s): {scale_peak} MiB, {scale_peak / first_peak:.2f}x "
                  f"the {scales[0]}x build's {first_peak} MiB")


if __name__ == "__main__":
    main()
