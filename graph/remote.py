"""Remote stores: a build loaded into any SPARQL 1.1 store over HTTP (an Oxigraph server, Apache Jena
Fuseki, ...), named graph by named graph.

`--store` given a Graph Store Protocol URL (Oxigraph server: `http://host:7878/store`; Fuseki:
`http://host:3030/ds/data`) builds into a local mirror first (`data/mirrors/HOST-PORT-PATH`, an ordinary
versioned store: incremental builds, rendered pages and all), then sends the endpoint each named graph
that is new or changed since the last push with an HTTP PUT (the graph replaced whole, in one request),
and drops each graph that is gone with SPARQL Update (`DROP SILENT GRAPH`). What was pushed is kept as
one digest per graph (`pushed.json` beside the mirror), so a rebuild that changed one file sends that
file's graph and the few corpus-wide graphs, not the archive. The endpoint then holds exactly the
mirror's quads (blank nodes renamed by the server, as the protocol allows).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlparse
from urllib.request import Request, urlopen

import pyoxigraph as ox

from graph.store import StoreError, open_store

MIRRORS = Path("data") / "mirrors"
PUSHED_FILE = "pushed.json"
TIMEOUT = 300  # seconds for one graph's request


def is_remote(store: str | Path) -> bool:
    return str(store).startswith(("http://", "https://"))


def mirror_of(url: str) -> Path:
    """The local store a remote one is built in: one per endpoint URL."""
    parts = urlparse(url)
    return MIRRORS / re.sub(r"[^A-Za-z0-9.]+", "-", f"{parts.hostname}-{parts.port or ''}-{parts.path}").strip("-")


def update_url(url: str) -> str:
    """The SPARQL Update endpoint beside a Graph Store Protocol one (Oxigraph's /store and Fuseki's /data
    both have /update beside them)."""
    return re.sub(r"/(?:store|data)/?$", "/update", url) if re.search(r"/(?:store|data)/?$", url) else url.rstrip("/") + "/update"


@dataclass
class PushReport:
    sent: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0


def _graph_text(store: ox.Store, graph: ox.NamedNode) -> bytes:
    return ox.serialize((q.triple for q in store.quads_for_pattern(None, None, None, graph)),
                        format=ox.RdfFormat.N_TRIPLES)


def _request(method: str, url: str, body: bytes, content_type: str) -> None:
    try:
        with urlopen(Request(url, data=body, method=method, headers={"Content-Type": content_type}),
                     timeout=TIMEOUT) as resp:
            resp.read()
    except HTTPError as err:
        raise StoreError(f"{url}: {method} answered {err.code} {err.reason}: "
                         f"{err.read()[:300].decode('utf-8', 'replace')}") from err
    except URLError as err:
        raise StoreError(f"{url}: cannot reach the store: {err.reason}") from err


def push(mirror: Path, url: str, echo: Callable[[str], None] = print, force: bool = False) -> PushReport:
    """Make the endpoint hold the mirror's named graphs: send the new and changed ones, drop the gone ones."""
    report = PushReport()
    state = Path(mirror) / PUSHED_FILE
    pushed: dict[str, str] = {} if force or not state.is_file() else json.loads(state.read_text())
    store = open_store(mirror, read_only=True)
    now: dict[str, str] = {}
    for graph in sorted(store.named_graphs(), key=lambda g: str(g)):
        if not isinstance(graph, ox.NamedNode):
            continue
        text = _graph_text(store, graph)
        now[graph.value] = hashlib.sha256(text).hexdigest()
        if pushed.get(graph.value) == now[graph.value]:
            report.unchanged += 1
            continue
        _request("PUT", f"{url}?graph={quote(graph.value, safe='')}", text, "application/n-triples")
        report.sent.append(graph.value)
        pushed[graph.value] = now[graph.value]
        if len(report.sent) % 100 == 0:  # now and then: an interrupted push resumes near where it stopped
            state.write_text(json.dumps(pushed, indent=0))
    gone = sorted(set(pushed) - set(now))
    if gone:
        update = "\n".join(f"DROP SILENT GRAPH <{g}> ;" for g in gone).rstrip(" ;")
        _request("POST", update_url(url), update.encode(), "application/sparql-update")
        report.dropped = gone
    state.write_text(json.dumps(now, indent=0))
    echo(f"pushed to {url}: {len(report.sent)} graph(s) sent, {len(report.dropped)} dropped, "
         f"{report.unchanged} unchanged")
    return report
