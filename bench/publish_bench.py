"""Benchmark: publishing the seeds store. Export time and peak memory per format against the serving
process's memory, the dumps a build writes, validation, and reconciliation latency.

Prints numbers and ratios; run with `make bench`.
"""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
ARCHIVEKG = [sys.executable, "-c", "from web.cli import main; main()"]
# Peak resident memory of the process itself (VmHWM; ru_maxrss would carry over the parent's size).
PEAK = ("import re, sys; from web.cli import main\n"
        "try: main(sys.argv[1:])\nexcept SystemExit: pass\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), file=sys.stderr)")


def timed(*args: str) -> tuple[float, int]:
    """Seconds and peak KiB of one archivekg command."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, int(proc.stderr.strip().splitlines()[-1])


def server_rss(store: str) -> tuple[int, list[float]]:
    """RSS (KiB) of the serving process after it answered pages, and reconciliation latencies (ms)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*ARCHIVEKG, "serve", "--store", store, "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(url + "/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        for path in ("/person/pishevari", "/dataset", "/person/pishevari.jsonld", "/sparql"):
            requests.get(url + path, timeout=30)
        latencies = []
        for name in ["Pishavari", "Bageroff", "Tebriz", "Derakshani", "Qavam", "Molotoff"] * 5:
            start = time.perf_counter()
            requests.get(url + "/reconcile", params={"queries": f'{{"q0":{{"query":"{name}"}}}}'}, timeout=30)
            latencies.append((time.perf_counter() - start) * 1000)
        worker = max(psutil.Process(proc.pid).children(), key=lambda p: p.memory_info().rss)
        return worker.memory_info().rss // 1024, latencies
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "store")
        build_s, _ = timed("build", "seeds", "--store", store)
        dumps = sorted((Path(store) / "dumps").glob("*.gz"))
        server_kib, latencies = server_rss(store)
        print(f"build of seeds/ (dumps, VoID, provenance included)   {build_s:6.1f} s")
        for dump in dumps:
            print(f"  dump {dump.name:24} {dump.stat().st_size / 2**20:6.2f} MiB gzipped")
        print(f"serving process RSS                                  {server_kib / 1024:6.1f} MiB")
        for fmt in ("nquads", "trig", "turtle", "ntriples", "jsonld", "rdfxml", "quickstatements"):
            out = Path(tmp) / f"export.{fmt}"
            seconds, peak = timed("export", "--store", store, "--format", fmt, "--out", str(out))
            print(f"export {fmt:16} {seconds:6.2f} s  {out.stat().st_size / 2**20:6.2f} MiB  peak {peak / 1024:6.1f} MiB"
                  f"  = {peak / server_kib:4.2f}x the server")
        seconds, peak = timed("validate", "--store", store)
        print(f"validate (SHACL)        {seconds:6.2f} s  peak {peak / 1024:6.1f} MiB")
        print(f"reconcile one name      median {statistics.median(latencies):5.1f} ms  "
              f"p95 {sorted(latencies)[int(len(latencies) * 0.95) - 1]:5.1f} ms (over HTTP, {len(latencies)} queries)")


if __name__ == "__main__":
    main()
