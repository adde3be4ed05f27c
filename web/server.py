"""Run the app under gunicorn, programmatically: one serving process per core (up to 4), 8 threads each.

Pages render in Python, so one process would serve them on one core (the GIL); a process per core
serves them in parallel. Each serving process has its own query pool with its share of the
`--query-workers` processes: the pools' processes are the only place user SPARQL runs, so the time
limit holds for every query and the number of concurrent queries stays bounded.
"""
from __future__ import annotations

import math
import os
import sys

from gunicorn.app.base import BaseApplication

from graph.store import StoreError, open_store


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict, store_path: str, query_timeout: float, query_workers: int):
        self.options = options
        self.store_path = store_path
        self.query_timeout = query_timeout
        self.query_workers = query_workers
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Called in the gunicorn worker after the fork: the store and the pool belong to it alone."""
        from web.app import create_app

        return create_app(self.store_path, query_timeout=self.query_timeout, query_workers=self.query_workers)


def _post_worker_init(worker) -> None:
    """Start the query processes as soon as the serving process is up, so the first query is not slow."""
    pool = worker.wsgi.extensions.get("archivekg_pool")
    if pool is not None:
        pool.start()


def _worker_exit(server, worker) -> None:
    """Kill the query processes with the serving process, so none outlive the server."""
    app = getattr(worker, "wsgi", None)
    pool = app.extensions.get("archivekg_pool") if app is not None else None
    if pool is not None:
        pool.close()


MAX_WEB_WORKERS = 4  # each serving process opens the store and keeps its own page data and result cache


def default_web_workers() -> int:
    """One serving process per core this process may run on, up to MAX_WEB_WORKERS."""
    return max(1, min(MAX_WEB_WORKERS, len(os.sched_getaffinity(0))))


def run_server(store_path: str, host: str = "127.0.0.1", port: int = 5000, query_timeout: float = 10.0,
               query_workers: int = 2, web_workers: int | None = None) -> None:
    """Serve the store until interrupted; `query_workers` query processes in all, split over the serving
    processes (at least one each)."""
    try:
        open_store(store_path, read_only=True)  # fail here, with a clear message, not in a worker
    except StoreError as err:
        print(f"archivekg serve: {err}", file=sys.stderr)
        sys.exit(1)
    web_workers = max(1, web_workers or default_web_workers())
    pool_size = max(1, math.ceil(query_workers / web_workers))
    options = {
        "bind": f"{host}:{port}",
        "workers": web_workers,
        "worker_class": "gthread",
        "threads": 8,
        "timeout": int(query_timeout) + 60,  # the pool enforces the query limit; this only catches a hung worker
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": "warning",
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "proc_name": "archivekg",
    }
    print(f"archivekg: serving {store_path} on http://{host}:{port}/ (SPARQL endpoint http://{host}:{port}/sparql; "
          f"query limit {query_timeout:g} s, {web_workers} serving processes with {pool_size} query process"
          f"{'es' if pool_size > 1 else ''} each)", flush=True)
    _Gunicorn(options, store_path, query_timeout, pool_size).run()
