"""A pool of killable SPARQL query processes.

Neither pyoxigraph nor Oxigraph server reliably stops a runaway query (an ORDER BY or COUNT over a
cartesian product keeps a core busy long after the client has gone). So every user query runs in a
separate process that owns a read-only store; the parent waits on the pipe until the deadline and,
past it, SIGKILLs the process and starts a fresh one. A client never gets a truncated 200: it gets
the whole serialized result, or an error status with a plain message.

Workers are fresh interpreters (`python -m web.sparql`, fork+exec: never a bare fork of the threaded
server) that talk to the parent over a socketpair wrapped in multiprocessing's Connection.

Statuses: 400 malformed query (the parser's message), 503 time limit exceeded (also when no worker
frees up before the deadline), 500 result larger than the size cap or worker crash.

Whole 200 results are kept in a bounded in-memory cache: the store is opened read-only and never
changes while it is served, so the same query text (with the same formats and graphs) has the same
answer, unless it calls a function whose value changes from call to call (RAND, NOW, UUID, STRUUID,
BNODE) or asks another endpoint (SERVICE). ARCHIVEKG_QUERY_CACHE_MB sets the bound (default 64 MB per
serving process; 0 turns the cache off).
"""
from __future__ import annotations

import io
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_CACHE_BYTES = int(os.environ.get("ARCHIVEKG_QUERY_CACHE_MB", "64")) * 1024 * 1024

# Result format names, as pyoxigraph spells them, with their media types.
SOLUTION_FORMATS = {
    "JSON": "application/sparql-results+json",
    "XML": "application/sparql-results+xml",
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
}

_UPDATE_RE = re.compile(
    r"^(?:\s+|#[^\n]*\n?|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


def looks_like_update(text: str) -> bool:
    """True if the text is a SPARQL Update: after the prologue it starts with an update keyword.

    A query cannot start with any of these words, so this is exact enough to refuse updates with 403
    instead of letting them surface as a confusing parser error.
    """
    return bool(_UPDATE_RE.match(text))


# Functions whose value differs from one evaluation to the next (and SERVICE, whose data is elsewhere),
# looked for outside IRIs, strings and comments. Whatever the skipping gets wrong only keeps a result out
# of the cache: an IRI with a parenthesis is not skipped, nor a "#" that does not follow a space.
_VOLATILE_RE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(|\bSERVICE\b", re.IGNORECASE)
_SKIPPED_RE = re.compile(r"""<[^<>"{}|^`\\\s()]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|(?:^|(?<=\s))#[^\n]*""",
                         re.MULTILINE)


def is_volatile(query: str) -> bool:
    """True if the query's answer may change between two runs on the same store."""
    return bool(_VOLATILE_RE.search(_SKIPPED_RE.sub(" ", query)))


@dataclass
class QueryResult:
    status: int
    media_type: str
    body: bytes


class ResultCache:
    """Least-recently-used whole results, bounded by their total size in bytes.

    A result larger than an eighth of the bound is not kept, so one big answer cannot empty the cache.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, QueryResult] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> QueryResult | None:
        with self._lock:
            result = self._entries.get(key)
            if result is not None:
                self._entries.move_to_end(key)
            return result

    def put(self, key: tuple, result: QueryResult) -> None:
        size = len(result.body) + len(key[0])
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = result
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._entries.popitem(last=False)
                self._bytes -= len(old.body) + len(old_key[0])


class _CappedBuffer(io.RawIOBase):
    """A write target that refuses to grow past the cap, so a huge result fails instead of eating RAM."""

    def __init__(self, cap: int):
        self.buf = io.BytesIO()
        self.cap = cap
        self.over = False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if self.buf.tell() + len(b) > self.cap:
            self.over = True
            raise ValueError("result too large")
        return self.buf.write(b)


def _die_with_parent() -> None:
    """Exit if the serving process goes away, even in the middle of a runaway query.

    (PR_SET_PDEATHSIG would fire when the *thread* that started us exits, so a watcher thread it is.)
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _worker_main(conn, store_path: str, max_bytes: int) -> None:
    """Child process: open the store once, then answer (query, formats, graphs) requests until EOF."""
    _die_with_parent()
    try:
        os.nice(5)  # pages served by the parent should win the CPU over runaway queries
    except OSError:
        pass
    memory_mb = int(os.environ.get("ARCHIVEKG_QUERY_MEMORY_MB", "4096"))
    if memory_mb > 0:  # a query that outgrows this aborts its own process, not the machine
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import pyoxigraph as ox

    from graph.formats import BY_NAME
    from graph.iris import PREFIXES
    from graph.store import open_store

    store = open_store(store_path, read_only=True)
    conn.send(("ready",))
    while True:
        try:
            query, sol_fmt, graph_fmt, default_graphs, named_graphs = conn.recv()
        except (EOFError, OSError):
            return
        kwargs = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        out = _CappedBuffer(max_bytes)
        try:
            results = store.query(query, prefixes=PREFIXES, **kwargs)
            if isinstance(results, ox.QueryTriples):
                fmt = BY_NAME[graph_fmt]
                ox.serialize(results, out, format=fmt.rdf, prefixes=fmt.prefixes)
                reply = (200, fmt.media_type, "")
            else:
                results.serialize(out, format=getattr(ox.QueryResultsFormat, sol_fmt))
                reply = (200, SOLUTION_FORMATS[sol_fmt], "")
        except SyntaxError as err:
            reply = (400, "text/plain", f"malformed query: {err}")
        except Exception as err:  # noqa: BLE001 - any evaluation error becomes a message, not a dead worker
            if out.over:
                reply = (500, "text/plain", f"result exceeds the size limit of {max_bytes:,} bytes")
            else:
                reply = (500, "text/plain", f"query failed: {type(err).__name__}: {err}")
        try:
            conn.send(reply)
            conn.send_bytes(out.buf.getvalue() if reply[0] == 200 else reply[2].encode())
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, process: subprocess.Popen, conn: Connection):
        self.process = process
        self.conn = conn

    def kill(self) -> None:
        """SIGKILL and reap, so no zombie and no CPU is left behind."""
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class QueryPool:
    """N query processes; `run` gives a query to an idle one and kills it if it misses the deadline."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = 10.0, max_bytes: int = DEFAULT_MAX_BYTES,
                 cache_bytes: int = DEFAULT_CACHE_BYTES):
        self.store_path = str(store_path)
        self.size = max(1, size)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.cache = ResultCache(cache_bytes)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._started = False

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the workers (in the background, so the caller is not held up by process start-up)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn_async()

    def _spawn_async(self) -> None:
        threading.Thread(target=self._spawn, daemon=True, name="akg-spawn").start()

    def _spawn(self) -> None:
        """Start one worker: a fresh interpreter (fork+exec, never a bare fork of this threaded process).

        Like multiprocessing's "spawn", but without re-running the server's main script in the child,
        so a worker starts in a fraction of a second and a killed one is replaced quickly.
        """
        parent_sock, child_sock = socket.socketpair()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "web.sparql", str(child_sock.fileno()), self.store_path, str(self.max_bytes)],
                pass_fds=[child_sock.fileno()], stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            child_sock.close()
        worker = _Worker(proc, Connection(parent_sock.detach()))
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        try:
            ready = worker.conn.poll(60) and worker.conn.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:  # the store could not be opened; try again later rather than spin
            self._retire(worker)
            time.sleep(2)
            if not self._closed:
                self._spawn_async()
            return
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    def close(self) -> None:
        """Kill every worker; called when the serving process exits."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every query process has started (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size and time.monotonic() < deadline:
            time.sleep(0.05)
        return self._idle.qsize() >= self.size

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    # ------------------------------------------------------------ queries
    def _timeout_result(self, waiting: bool) -> QueryResult:
        limit = f"{self.timeout:g}"
        why = " (no query worker became free)" if waiting else ""
        return QueryResult(503, "text/plain", f"query exceeded the {limit} s time limit{why}\n".encode())

    def run(self, query: str, solutions_format: str = "JSON", graph_format: str = "turtle",
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> QueryResult:
        """Run one query within the time limit; never returns a partial result."""
        key = (query, solutions_format, graph_format, tuple(default_graphs or ()), tuple(named_graphs or ()))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        result = self._run(query, solutions_format, graph_format, default_graphs, named_graphs)
        if result.status == 200 and not is_volatile(query):
            self.cache.put(key, result)
        return result

    def _run(self, query: str, solutions_format: str, graph_format: str, default_graphs: list[str] | None,
             named_graphs: list[str] | None) -> QueryResult:
        self.start()
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return self._timeout_result(waiting=True)
        try:
            worker.conn.send((query, solutions_format, graph_format, default_graphs or [], named_graphs or []))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._retire(worker)
                self._spawn_async()
                return self._timeout_result(waiting=False)
            status, media_type, _ = worker.conn.recv()
            body = worker.conn.recv_bytes()
        except (EOFError, OSError):  # the worker died (e.g. out of memory); replace it
            self._retire(worker)
            self._spawn_async()
            return QueryResult(500, "text/plain", b"query worker died while running the query (out of memory?)\n")
        self._idle.put(worker)
        if status != 200 and not body.endswith(b"\n"):
            body += b"\n"
        return QueryResult(status, media_type, body)


if __name__ == "__main__":  # a worker process, started by QueryPool._spawn
    _worker_main(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]))
