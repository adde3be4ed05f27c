"""Run the app under gunicorn, programmatically: one serving process per core (up to 4), 8 threads each,
each following the store to the version a build publishes (FollowStore).

Pages render in Python, so one process would serve them on one core (the GIL); a process per core
serves them in parallel. Each serving process has its own query pool with its share of the
`--query-workers` processes: the pools' processes are the only place user SPARQL runs, so the time
limit holds for every query and the number of concurrent queries stays bounded.
"""
from __future__ import annotations

import math
import os
import sys
import threading
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication

from graph.store import StoreError, current_version, open_store


class FollowStore:
    """The WSGI app of a store's published version that moves to the next one when a build publishes it.

    At most once a second a request looks at the store's `current` link; when it names a new version,
    the app for it is made and takes the next requests, while requests already in the old one finish
    there. The old app's query processes are closed once any query they run has passed its time limit.
    Nothing restarts, so no connection is dropped and no request fails during a rebuild.
    """

    CHECK_EVERY = 1.0

    def __init__(self, store_path: str, query_timeout: float = 10.0, query_workers: int = 2):
        self.store_path = store_path
        self.query_timeout = query_timeout
        self.query_workers = query_workers
        self.version = current_version(store_path)
        self.app = self._make(self.version)
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def _make(self, version: Path):
        from web.app import create_app

        return create_app(str(version), query_timeout=self.query_timeout, query_workers=self.query_workers)

    def __call__(self, environ, start_response):
        if time.monotonic() - self._checked >= self.CHECK_EVERY:
            self._follow()
        return self.app(environ, start_response)

    def _follow(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # another request is already looking (or making the new app): keep to the current one
        try:
            self._checked = time.monotonic()
            latest = current_version(self.store_path)
            if latest == self.version or not latest.is_dir():
                return
            try:
                app = self._make(latest)
            except StoreError:
                return  # not readable yet: keep serving the old version, look again next time
            self.start_pool(app)
            pool = app.extensions.get("archivekg_pool")
            if pool is not None:
                pool.wait_ready(self.query_timeout)  # its query processes up before it takes requests
            old, self.app, self.version = self.app, app, latest
        finally:
            self._lock.release()
        threading.Timer(self.query_timeout + 5, self.close_pool, args=(old,)).start()

    @staticmethod
    def start_pool(app) -> None:
        pool = app.extensions.get("archivekg_pool")
        if pool is not None:
            pool.start()

    @staticmethod
    def close_pool(app) -> None:
        pool = app.extensions.get("archivekg_pool")
        if pool is not None:
            pool.close()


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
        return FollowStore(self.store_path, query_timeout=self.query_timeout, query_workers=self.query_workers)


def _post_worker_init(worker) -> None:
    """Start the query processes as soon as the serving process is up, so the first query is not slow."""
    FollowStore.start_pool(worker.wsgi.app)


def _worker_exit(server, worker) -> None:
    """Kill the query processes with the serving process, so none outlive the server."""
    follow = getattr(worker, "wsgi", None)
    if follow is not None:
        FollowStore.close_pool(follow.app)


MAX_WEB_WORKERS = 4  # each serving process opens the store and keeps its own page data and result cache


def default_web_workers() -> int:
    """One serving process per core this process may run on, up to MAX_WEB_WORKERS."""
    return max(1, min(MAX_WEB_WORKERS, len(os.sched_getaffinity(0))))


def run_server(store_path: str, host: str = "127.0.0.1", port: int = 5000, query_timeout: float = 10.0,
               query_workers: int | None = None, web_workers: int | None = None) -> None:
    """Serve the store until interrupted; `query_workers` query processes in all (default two per serving
    process), split over the serving processes (at least one each)."""
    try:
        open_store(store_path, read_only=True)  # fail here, with a clear message, not in a worker
    except StoreError as err:
        print(f"archivekg serve: {err}", file=sys.stderr)
        sys.exit(1)
    web_workers = max(1, web_workers or default_web_workers())
    pool_size = max(1, math.ceil(query_workers / web_workers)) if query_workers else 2
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
