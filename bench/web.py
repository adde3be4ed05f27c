"""Benchmark: the served app under concurrent clients, on the seeds store and on a synthetic 1M store.

For each page kind (a hub entity, an average entity, a document, the timeline, search) and for
/sparql (a grouped count and a simple SELECT), 8 clients on loopback send requests back to back for a
fixed time; the table gives requests/s, p50/p95 latency and the server's CPU per request (psutil,
every process of the server). Each row is run twice: repeating one request (which the server may
answer from its page or result cache), and "distinct", each request a new URL (an ignored parameter;
for SPARQL a different comment at the end of the query), so that every one is rendered or evaluated.
One more row asks for every entity page in turn at its bare URL, as a reader or a crawler does: those
pages were rendered at build time (web.precompute).
The same SPARQL queries go to the Oxigraph server (`oxigraph serve-read-only --union-default-graph`,
from the PyPI package `oxigraph`) on the same store in the same run, and the ratio of throughputs is
printed.

    python bench/web.py [--seconds 8] [--seeds STORE] [--synthetic STORE] [--triples 1000000] [--sparql-only]
                        [--tree SOURCE-TREE]                 # serve another version, to compare
    python bench/web.py --profile STORE PATH...   # time each page query of one page, in-process
"""
from __future__ import annotations

import argparse
import http.client
import inspect
import itertools
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Union
from urllib.parse import quote, urlencode

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from graph.iris import sparql_prefixes  # noqa: E402
from graph.store import current_version, open_store, stored_base  # noqa: E402
from synthetic import copies_for, make_synthetic, seeds_store  # noqa: E402

CLIENTS = 8
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
SPARQL = {  # the same text goes to both servers, so both get the prefixes declared
    "grouped count": sparql_prefixes() + """SELECT ?e (COUNT(?m) AS ?n) WHERE { ?m oa:hasBody ?e }
        GROUP BY ?e ORDER BY DESC(?n) LIMIT 20""",
    "simple SELECT": sparql_prefixes() + "SELECT ?e ?label WHERE { ?e a akg:Person ; rdfs:label ?label } LIMIT 50",
}
TIMEOUT = 60  # seconds a client waits for one answer
JSON = {"Accept": "application/sparql-results+json"}


# ------------------------------------------------------------------------------------------ servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], port: int, ready_path: str, cwd: Path = ROOT) -> subprocess.Popen:
    """Start a server and wait until it answers."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{cmd[0]} exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", ready_path)
            if conn.getresponse().status < 500:
                return proc
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
        finally:
            conn.close()
    proc.kill()
    raise SystemExit(f"{cmd[0]} did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server and every process it started (a worker busy with a slow page included)."""
    family = psutil.Process(proc.pid).children(recursive=True)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


def cpu_seconds(pid: int) -> dict[int, float]:
    """User+system CPU of a process and all its descendants, by pid."""
    out = {}
    try:
        root = psutil.Process(pid)
        for p in [root, *root.children(recursive=True)]:
            try:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        pass
    return out


# ------------------------------------------------------------------------------------------ load
Target = Union[str, Callable[[int], str]]  # a fixed path, or a path for each request's serial number
SERIAL = itertools.count()


def _client(port: int, path: Target, headers: dict, until: float, out: list) -> None:
    """One client: requests back to back on a keep-alive connection until the time is up."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            conn.request("GET", path if isinstance(path, str) else path(next(SERIAL)), headers=headers)
            resp = conn.getresponse()
            resp.read()
            out.append((time.perf_counter() - start, resp.status))
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            out.append((time.perf_counter() - start, 0))
    conn.close()


def measure(port: int, pid: int, path: Target, seconds: float, headers: dict | None = None) -> dict | None:
    """req/s, p50/p95 ms and server CPU ms per request of CLIENTS clients; None if the path is not there."""
    headers = headers or {}
    warm: list = []
    for _ in range(2):
        _client(port, path, headers, time.monotonic() + 0.001, warm)
    if warm[-1][1] == 404:
        return None
    results: list = []
    before = cpu_seconds(pid)
    start = time.perf_counter()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, path, headers, until, results)) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    after = cpu_seconds(pid)
    cpu = sum(after[p] - before.get(p, 0.0) for p in after)
    ok = sorted(lat for lat, status in results if status == 200)
    failed = Counter(status for _, status in results if status != 200)
    return {"n": len(results), "rps": len(ok) / elapsed,
            "errors": ", ".join(f"{n}x{status or 'no answer'}" for status, n in failed.most_common()) or "0",
            "p50": statistics.median(ok) * 1000 if ok else float("nan"),
            "p95": ok[max(0, int(len(ok) * 0.95) - 1)] * 1000 if ok else float("nan"),
            "cpu": cpu * 1000 / max(1, len(results))}


# ------------------------------------------------------------------------------------------ targets
def targets(store_path: Path) -> list[tuple[str, Target]]:
    """(what, path) of the pages to load: the most mentioned person, a median one, a median document."""
    store = open_store(store_path, read_only=True)
    base = stored_base(store)

    def ranked(query: str) -> list[str]:
        rows = store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
        return [r["x"].value[len(base):] for r in rows]

    persons = ranked("SELECT ?x WHERE { ?x a akg:Person ; akg:mentionCount ?c } ORDER BY DESC(?c) ?x")
    docs = ranked("""SELECT ?x WHERE { ?x a akg:Document . ?m akg:document ?x ; oa:hasBody ?b }
        GROUP BY ?x ORDER BY DESC(COUNT(?m)) ?x""")
    entities = ranked("""SELECT ?x WHERE { VALUES ?t { akg:Person akg:Place akg:Organization akg:Group } ?x a ?t }
        ORDER BY ?x""")
    every_entity = lambda n: "/" + entities[n % len(entities)]  # noqa: E731
    return [("entity, hub", "/" + persons[0]), ("entity, median", "/" + persons[len(persons) // 2]),
            ("entity, each in turn", every_entity),
            ("document, median", "/" + docs[len(docs) // 2]), ("timeline", "/events"),
            ("search", "/search?q=tabriz")]


def repeated(url: str) -> Target:
    """The same request every time: the server may answer a repeat from its caches."""
    return url


def distinct_urls(url: str) -> Target:
    """A page with a different (ignored) parameter each time: no request is answered from a cache."""
    return lambda n: f"{url}{'&' if '?' in url else '?'}bench={n}"


def distinct_texts(url: str) -> Target:
    """A /sparql URL whose query ends in a different comment each time: every request is evaluated."""
    return lambda n: f"{url}%0A%23+{n}"


def bench_store(label: str, store: Path, seconds: float, tree: Path = ROOT, pages: bool = True):
    """The rows of the table for one store, as they are measured. `tree`: the source tree to serve from."""
    ours_port, ox_port = free_port(), free_port()
    targets_ = targets(store) if pages else []
    ours = start([sys.executable, "-c", "from web.cli import main; main()", "serve", "--store", str(store),
                  "--port", str(ours_port)], ours_port, "/", cwd=tree)
    oxi = start([OXIGRAPH, "serve-read-only", "--location", str(current_version(store)), "--bind", f"127.0.0.1:{ox_port}",
                 "--union-default-graph"], ox_port, "/query?query=" + quote("ASK {}"))
    try:
        time.sleep(2)  # the query processes finish starting
        for what, path in targets_:
            if callable(path):  # already one URL per request
                yield {"store": label, "what": f"{what} (bare URLs)", "server": "archivekg",
                       "m": measure(ours_port, ours.pid, path, seconds)}
                continue
            for how, paths in (("", repeated), (", distinct", distinct_urls)):
                yield {"store": label, "what": f"{what}{how} {path.split('?')[0]}", "server": "archivekg",
                       "m": measure(ours_port, ours.pid, paths(path), seconds)}
        for name, query in SPARQL.items():
            for how, paths in (("", repeated), (", distinct texts", distinct_texts)):
                q = urlencode({"query": query})
                ours_m = measure(ours_port, ours.pid, paths("/sparql?" + q), seconds, JSON)
                ox_m = measure(ox_port, oxi.pid, paths("/query?" + q), seconds, JSON)
                yield {"store": label, "what": f"sparql {name}{how}", "server": "archivekg", "m": ours_m}
                yield {"store": label, "what": f"sparql {name}{how}", "server": "oxigraph", "m": ox_m,
                       "ratio": ours_m["rps"] / ox_m["rps"] if ours_m and ox_m else None}
    finally:
        stop(ours)
        stop(oxi)


HEADER = (f"{'store':6} {'what':40} {'server':10} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/req':>10} "
          f"errors")


def row_line(r: dict) -> str:
    m = r["m"]
    if m is None:
        return f"{r['store']:6} {r['what'][:40]:40} {r['server']:10} not available"
    ratio = f"  archivekg/oxigraph = {r['ratio']:.2f}x" if r.get("ratio") else ""
    return (f"{r['store']:6} {r['what'][:40]:40} {r['server']:10} {m['rps']:7.1f} {m['p50']:8.1f} {m['p95']:8.1f} "
            f"{m['cpu']:10.1f} {m['errors']}{ratio}")


# ------------------------------------------------------------------------------------------ profile
def profile(store: Path, paths: list[str]) -> None:
    """Render each page in-process and time every page query by the function asking. The page is asked
    for twice under two URLs (an ignored parameter), so the second is rendered anew on a warm store."""
    from web.app import create_app
    from web.queries import Pages

    timings: list[tuple[str, float, int, str]] = []
    plain_q = Pages.q

    def timed_q(self, query: str):
        start = time.perf_counter()
        rows = list(plain_q(self, query))
        timings.append((inspect.stack()[1].function, (time.perf_counter() - start) * 1000, len(rows), query))
        return rows

    Pages.q = timed_q
    client = create_app(str(store)).test_client()
    for path in paths:
        client.get(distinct_urls(path)(0))
        timings.clear()
        start = time.perf_counter()
        status = client.get(distinct_urls(path)(1)).status_code
        total = (time.perf_counter() - start) * 1000
        print(f"{path}: {status}, {total:.0f} ms, of which {sum(t[1] for t in timings):.0f} ms in {len(timings)} queries")
        by = defaultdict(lambda: [0, 0.0, 0])
        for function, ms, n, _ in timings:
            by[function][0] += 1
            by[function][1] += ms
            by[function][2] += n
        for function, (k, ms, n) in sorted(by.items(), key=lambda kv: -kv[1][1]):
            print(f"  {function:24} {k:3} queries {ms:8.1f} ms {n:6} rows")
        for function, ms, _, query in sorted(timings, key=lambda t: -t[1])[:3]:
            text = " ".join(query.split())
            print(f"  slowest, {function} {ms:.0f} ms: {text[:600]}{' ...' if len(text) > 600 else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="load time per row")
    parser.add_argument("--seeds", type=Path, help="a store built from seeds/ (default: built now)")
    parser.add_argument("--synthetic", type=Path, help="a synthetic store (default: made now from the seeds)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic store made")
    parser.add_argument("--sparql-only", action="store_true", help="only the /sparql rows")
    parser.add_argument("--tree", type=Path, default=ROOT, help="serve from this source tree (to compare versions)")
    parser.add_argument("--profile", nargs="+", metavar="STORE PATH", help="profile pages instead")
    args = parser.parse_args()
    if args.profile:
        profile(Path(args.profile[0]), args.profile[1:])
        return
    if OXIGRAPH is None:
        raise SystemExit("bench/web.py compares with the Oxigraph server: pip install oxigraph (its `oxigraph` command)")
    with tempfile.TemporaryDirectory() as tmp:
        seeds = args.seeds or seeds_store(Path(tmp) / "seeds")
        synthetic = args.synthetic
        if synthetic is None:
            synthetic = Path(tmp) / "synthetic"
            make_synthetic(seeds, synthetic, copies_for(seeds, args.triples))
        size = len(open_store(synthetic, read_only=True))
        print(f"{CLIENTS} clients on loopback, {args.seconds:g} s per row; synthetic store {size:,} quads")
        print(HEADER)
        for label, store in (("seeds", seeds), (f"{size / 1e6:.1f}M", synthetic)):
            for row in bench_store(label, store, args.seconds, args.tree, not args.sparql_only):
                print(row_line(row), flush=True)


if __name__ == "__main__":
    main()
