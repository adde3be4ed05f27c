"""Content negotiation, in one place: which of a resource's forms a client gets, and the headers
every negotiated answer carries (`Vary: Accept`, `Link` to each alternate), or a 406 listing them.

The forms come from `graph.formats` (one table of RDF serializations); HTML is the browser's form.
"""
from __future__ import annotations

import json

import pyoxigraph as ox
import rdflib
from flask import Response, make_response, request

from graph.formats import BY_MEDIA_TYPE, DESCRIPTION_FORMATS, Format, best_media_type
from graph.iris import jsonld_context

HTML = "text/html"


def offered(html: bool = True) -> list[str]:
    """Media types in our order of preference: HTML for browsers, then each RDF format and its aliases."""
    return ([HTML] if html else []) + [m for f in DESCRIPTION_FORMATS for m in f.media_types]


def choose(html: bool = True) -> Format | str | None:
    """The form the client asked for: a Format, "text/html", or None when nothing offered fits (406)."""
    best = best_media_type(request.headers.get("Accept"), offered(html))
    return best if best in (None, HTML) else BY_MEDIA_TYPE[best]


def not_acceptable(html: bool = True) -> Response:
    body = "406 Not Acceptable: this resource is available as " + ", ".join(offered(html)) + "\n"
    return vary(Response(body, status=406, mimetype="text/plain"))


def vary(resp, path: str | None = None) -> Response:
    """Every negotiated answer says so (Vary: Accept), and a resource's answer links its twins."""
    resp = make_response(resp)
    resp.headers.add("Vary", "Accept")
    if path is not None and resp.status_code == 200:
        resp.headers["Link"] = link_header(path)
    return resp


def alternates(path: str) -> list[dict]:
    """The twins of a page at /{path}: one per RDF format, by suffix (also the <link> tags of the page)."""
    return [{"href": f"/{path}.{f.suffix}", "type": f.media_type, "label": f.label} for f in DESCRIPTION_FORMATS]


def link_header(path: str) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in alternates(path))


def rdf_response(triples, fmt: Format, path: str | None = None) -> Response:
    """Triples serialized in a format. JSON-LD is compacted against our context (with @id and @type)."""
    if fmt.name == "jsonld":
        body = compact_jsonld(triples)
    else:
        body = ox.serialize(triples, format=fmt.rdf, prefixes=fmt.prefixes)
    return vary(Response(body, headers={"Content-Type": fmt.content_type}), path)


def compact_jsonld(triples) -> bytes:
    """pyoxigraph writes expanded JSON-LD; rdflib compacts it against the context we serve."""
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    context = jsonld_context()["@context"]
    if not len(graph):
        return json.dumps({"@context": context, "@graph": []}).encode()
    return graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")
