"""The Flask app: SPARQL 1.1 Protocol endpoint, browsable pages for every IRI, and RDF twins.

User SPARQL goes through the killable query pool (web.sparql); the pages' own small queries run on a
read-only store opened in this process, so they stay fast while the pool is busy.
"""
from __future__ import annotations

import atexit
import json
import re
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Flask, Response, abort, redirect, render_template, request, send_from_directory

from extract.reader import slug
from graph.formats import BY_MEDIA_TYPE, BY_NAME, DESCRIPTION_FORMATS, Format, best_media_type, parse_accept
from graph.iris import jsonld_context, sparql_prefixes
from graph.publish import dump_formats, dump_name, dumps_folder
from graph.search_index import SEARCH_FILE
from graph.store import current_version, open_store
from web.negotiate import HTML, alternates, choose, not_acceptable, rdf_response, vary
from web.cache import PageCache, PrecomputedPages
from web.describe import service_description
from web.ego import ego_network, register_ego
from web.maps import cluster, coord, degrees, svg_map
from web.queries import ENTITY_TYPES, LIST_PAGE, TYPE_NOUNS, Pages, short
from web.reconcile import register_reconciliation
from web.search import register_search
from web.sparql import QueryPool, looks_like_update
from web.timeline import Filters, Timeline

FORMAT_PARAM = {  # ?format= -> (solutions format, graph format)
    "json": ("JSON", "jsonld"), "xml": ("XML", "rdfxml"), "csv": ("CSV", "ntriples"), "tsv": ("TSV", "ntriples"),
    **{f.name: ("JSON", f.name) for f in DESCRIPTION_FORMATS}, **{f.suffix: ("JSON", f.name) for f in DESCRIPTION_FORMATS},
}
SOLUTION_ACCEPT = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML", "text/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV", "text/html": "html",
}
HTML_ROWS = 2000
TWIN_SUFFIXES = {f.suffix: f for f in DESCRIPTION_FORMATS}
ENTITY_EVENTS = 30  # events on an entity page; the rest on its filtered timeline

EXAMPLES = [
    ("Persons and their names", """SELECT ?person ?label (GROUP_CONCAT(?alt; separator=", ") AS ?names) WHERE {
  ?person a akg:Person ; rdfs:label ?label .
  OPTIONAL { ?person skos:altLabel ?alt }
} GROUP BY ?person ?label ORDER BY ?label"""),
    ("Who reported to whom, when, in which document", """SELECT DISTINCT ?senderName ?recipientName ?date ?doc WHERE {
  ?ev a akg:Communication ; akg:agent ?sender ; akg:recipient ?recipient ; akg:reportedIn ?doc .
  ?sender akg:reportedTo ?recipient .
  OPTIONAL { ?ev akg:date ?date }
  ?sender rdfs:label ?senderName . ?recipient rdfs:label ?recipientName .
} ORDER BY ?date ?senderName"""),
    ("Places with coordinates", """SELECT ?place ?label ?lat ?long WHERE {
  ?place a akg:Place ; rdfs:label ?label .
  OPTIONAL { ?place geo:lat ?lat ; geo:long ?long }
} ORDER BY ?label"""),
    ("Sentences naming a person", """SELECT ?name ?sentence ?doc WHERE {
  ?m oa:hasBody ?person ; akg:nameAsWritten ?name ; akg:sentence ?s ; akg:document ?doc .
  ?person rdfs:label ?label . FILTER(CONTAINS(LCASE(?label), "derakhshani"))
  ?s rdf:value ?sentence .
} LIMIT 50"""),
    ("Events by type", """SELECT ?type (COUNT(?ev) AS ?n) WHERE {
  ?ev akg:reportedIn ?doc ; a ?type .
} GROUP BY ?type ORDER BY DESC(?n)"""),
]


def create_app(store_path: str, query_timeout: float = 10.0, query_workers: int = 2) -> Flask:
    """The app for one version of a store (its published one when given the store folder). The query pool
    is created here but starts its processes lazily."""
    store_path = str(current_version(store_path))
    app = Flask(__name__)
    pages = Pages(open_store(store_path, read_only=True), index=Path(store_path) / SEARCH_FILE)
    timeline = Timeline(pages)
    version = pages.version()
    pages_cache = PageCache(version, precomputed=PrecomputedPages(store_path, version))
    pool = QueryPool(store_path, size=query_workers, timeout=query_timeout)
    app.extensions["archivekg_pool"] = pool
    app.extensions["archivekg_pages"] = pages
    atexit.register(pool.close)
    prefix_text = sparql_prefixes()

    @app.context_processor
    def _globals():
        twins = alternates(request.path.strip("/")) if request.endpoint in ("resource", "dataset") else []
        return {"base_iri": pages.base, "nouns": TYPE_NOUNS, "degrees": degrees, "alternates": twins,
                "missing_index": not pages.indexed}

    # ------------------------------------------------------------ pages
    def home():
        return pages_cache.get(request.full_path, render_home)

    def render_home():
        counts = pages.counts()
        return render_template("home.html", counts=counts, folders=[
            ("person", "Persons", counts["Person"]), ("place", "Places", counts["Place"]),
            ("org", "Organizations", counts["Organization"]), ("group", "Groups", counts["Group"]),
            ("doc", "Documents", counts["Document"]), ("event", "Events", counts["Event"])])

    def listing(folder: str):
        page = max(0, request.args.get("page", 0, type=int))
        if folder in ENTITY_TYPES:
            rows, title = pages.entity_list(ENTITY_TYPES[folder], page), TYPE_NOUNS[ENTITY_TYPES[folder]].capitalize()
        elif folder == "doc":
            rows, title = pages.doc_list(page), "Documents"
        else:
            return redirect("/events", 301)  # the events' list is the timeline
        more = len(rows) > LIST_PAGE
        return render_template("list.html", folder=folder, title=title, rows=rows[:LIST_PAGE], page=page, more=more,
                               offset=page * LIST_PAGE)

    def resource(path: str):
        """Any IRI under the base: entity, document, event, sentence/mention (-> anchor), or a plain view."""
        m = re.fullmatch(r"(.+)\.(\w+)", path)
        if m and m.group(2) in TWIN_SUFFIXES:
            return twin(m.group(1), TWIN_SUFFIXES[m.group(2)])
        iri = pages.iri(quote(path, safe="/-_.~"))
        form = choose()
        if form is None:
            return not_acceptable()
        if form != HTML:
            return twin(path, form)
        return vary(pages_cache.get(request.full_path, lambda: page(path, iri)), path)

    def page(path: str, iri: str):
        """The HTML view of a resource."""
        folder = path.split("/", 1)[0]
        anchor = re.fullmatch(r"doc/(.+)/([sm])/(\d+-\d+)", path)
        if anchor and pages.exists(iri):
            return redirect(f"/doc/{anchor.group(1)}#{anchor.group(2)}-{anchor.group(3)}", 303)
        if folder in ENTITY_TYPES:
            data = pages.entity(iri, max(0, request.args.get("mentions", 0, type=int)))
            if data:
                return render_template("entity.html", e=data, path=path, map=entity_map(data), ego=ego_network(pages, iri), **entity_events(folder, path))
        elif folder == "doc" and "/" not in path[4:]:
            data = pages.document(iri)
            if data:
                events, _ = timeline.events(Filters(doc=path), limit=500)
                return render_template("document.html", d=data, path=path, events=events)
        elif folder == "event":
            data = pages.event(iri)
            if data:
                return render_template("event.html", ev=data, path=path)
        props = pages.triples(iri)
        if not props:
            alias = "/".join(slug(part) for part in path.split("/"))
            if alias != path and pages.exists(pages.iri(alias)):  # "doc/000_9af…" (a file name) -> "doc/000-9af…"
                return redirect("/" + alias, 301)
            abort(404)
        objects = {o.value for _, o in props if isinstance(o, ox.NamedNode)} | {p for p, _ in props}
        labels = pages.labels(objects)
        rows = [{"prop": short(p), **(pages.link(o.value, labels) if isinstance(o, ox.NamedNode)
                                      else {"value": o.value if len(o.value) <= 5000 else o.value[:5000] + " …"})}
                for p, o in props]
        return render_template("resource.html", iri=iri, path=path, rows=rows)

    def entity_events(folder: str, path: str) -> dict:
        """The entity's own timeline: events at a place, or events it took part in."""
        f = Filters(place=path) if folder == "place" else Filters(who=path)
        events, more = timeline.events(f, limit=ENTITY_EVENTS)
        return {"events": events, "more_events": more, "timeline_href": "/events?" + f.params()}

    def entity_map(e: dict):
        """A map around the entity if it has coordinates (any type), with the corpus's other places faint."""
        c = coord(e["lat"], e["long"])
        if c is None:
            return None
        here = {"label": e["label"], "href": pages.href(e["iri"]), "lat": c[0], "lon": c[1],
                "mentions": e["mention_count"]}
        others = [p for p in pages.places() if p["lat"] is not None]
        return svg_map(others, here=here, title=f"Map: {e['label']} at {degrees(*c)}, with nearby places")

    def events_page():
        return pages_cache.get(request.full_path, render_events)

    def render_events():
        f = Filters.from_args(request.args)
        events, more = timeline.events(f)
        labels = pages.labels({pages.iri(x) for x in (f.place, f.who) if x})
        return render_template("events.html", f=f, events=events, more=more, facets=timeline.facets(f),
                               place_label=labels.get(pages.iri(f.place)) if f.place else None,
                               who_label=labels.get(pages.iri(f.who)) if f.who else None,
                               sparql=timeline.query_text(f))

    def map_page():
        return pages_cache.get(request.full_path, render_map)

    def render_map():
        places = pages.places()
        located = [p for p in places if p["lat"] is not None]
        svg = svg_map(located, title=f"Map of {len(located)} places with known coordinates")
        near = cluster(located)
        detail = near and svg_map(near, title=f"Detail map of {len(near)} places close together")
        return render_template("map.html", places=places, located=located, map=svg, detail=detail,
                               detail_count=len(near or []))

    def map_geojson():
        """The located places as GeoJSON ([lon, lat] order, RFC 7946), open to other origins like /sparql."""
        features = [{"type": "Feature", "id": p["iri"], "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                     "properties": {"label": p["label"], "iri": p["iri"], "mentions": p["mentions"]}}
                    for p in pages.places() if p["lat"] is not None]
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)
        return Response(body, mimetype="application/geo+json", headers={"Access-Control-Allow-Origin": "*"})

    def twin(path: str, fmt: Format):
        iri = pages.iri(quote(path, safe="/-_.~"))
        if not pages.exists(iri):
            return vary(plain(404, f"no resource {iri}"))
        return rdf_response(pages.describe(iri), fmt, path)

    # ------------------------------------------------------------ publishing: VoID, dumps, context
    def dataset(suffix: str | None = None):
        """The VoID description of the dataset (its own named graph), as HTML or RDF."""
        form = TWIN_SUFFIXES.get(suffix) if suffix else choose()
        if form is None:
            return not_acceptable() if not suffix else abort(404)
        if form == HTML:
            return vary(page("dataset", pages.iri("dataset")), "dataset")
        return rdf_response(pages.void(), form, "dataset")

    def well_known_void():
        form = choose()
        if form is None:
            return not_acceptable()
        if form == HTML:
            return vary(redirect("/dataset", 303))
        return rdf_response(pages.void(), form, "dataset")

    def dumps():
        folder = dumps_folder(store_path)
        files = [{"name": dump_name(f), "format": f, "bytes": (folder / dump_name(f)).stat().st_size}
                 for f in dump_formats() if (folder / dump_name(f)).is_file()]
        return render_template("dumps.html", files=files)

    def dump_file(name: str):
        if name not in {dump_name(f) for f in dump_formats()}:
            abort(404)
        return send_from_directory(dumps_folder(store_path).resolve(), name, mimetype="application/gzip",
                                   as_attachment=True, max_age=300)

    def context():
        return Response(json.dumps(jsonld_context(), indent=1), mimetype="application/ld+json",
                        headers={"Access-Control-Allow-Origin": "*"})

    # ------------------------------------------------------------ SPARQL endpoint
    def sparql():
        if request.method == "OPTIONS":
            return Response(status=204)
        ctype = (request.mimetype or "").lower()
        values = request.values if request.method == "POST" else request.args
        if ctype == "application/sparql-update" or "update" in values:
            return plain(403, "read-only endpoint: SPARQL Update is not allowed")
        if request.method == "POST" and ctype == "application/sparql-query":
            query = request.get_data(as_text=True)
        else:
            query = values.get("query")
        if query is None or not query.strip():
            if request.method == "GET":
                form = choose()
                if isinstance(form, Format):  # an RDF client asks what the endpoint is
                    return rdf_response(service_description(pages, request.base_url), form)
                return render_template("sparql.html", query=EXAMPLES[0][1], examples=EXAMPLES, prefixes=prefix_text,
                                       result=None, error=None)
            return plain(400, "missing query: send query= (GET or form POST) or an application/sparql-query body")
        if looks_like_update(query):
            return plain(403, "read-only endpoint: SPARQL Update is not allowed")
        default_graphs = request.args.getlist("default-graph-uri") + (
            request.form.getlist("default-graph-uri") if request.method == "POST" else [])
        named_graphs = request.args.getlist("named-graph-uri") + (
            request.form.getlist("named-graph-uri") if request.method == "POST" else [])
        sol_fmt, graph_fmt, html = negotiate()
        if html:
            result = pool.run(query, "JSON", "ntriples", default_graphs, named_graphs)
            return html_results(query, result)
        result = pool.run(query, sol_fmt, graph_fmt, default_graphs, named_graphs)
        if result.status != 200:
            return plain(result.status, result.body.decode("utf-8", "replace"))
        media = result.media_type + ("; charset=utf-8" if result.media_type.startswith("text/") else "")
        return Response(result.body, status=200, headers={"Content-Type": media})

    def negotiate() -> tuple[str, str, bool]:
        """(solutions format, graph format, render HTML?) from format= or the Accept header."""
        fmt = request.values.get("format", "").lower()
        if fmt == "html":
            return "JSON", "turtle", True
        if fmt in FORMAT_PARAM:
            return (*FORMAT_PARAM[fmt], False)
        header = request.headers.get("Accept")
        sol = SOLUTION_ACCEPT.get(best_media_type(header, list(SOLUTION_ACCEPT)) or "", "JSON")
        if sol == "html":
            return "JSON", "turtle", True
        named = [BY_MEDIA_TYPE[m] for m, q in parse_accept(header) if q > 0 and m in BY_MEDIA_TYPE]
        graph = choose(html=False) if named else None  # no RDF type named: Turtle, as the README says
        return sol, (graph.name if graph else "turtle"), False

    def html_results(query: str, result):
        """Results as an escaped HTML table under the query form (browsers, format=html)."""
        if result.status != 200:
            page = render_template("sparql.html", query=query, examples=EXAMPLES, prefixes=prefix_text,
                                   result=None, error=result.body.decode("utf-8", "replace"))
            return Response(page, status=result.status, mimetype="text/html")
        if result.media_type == BY_NAME["ntriples"].media_type:
            triples = list(ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES))
            table = {"vars": ["subject", "predicate", "object"], "total": len(triples),
                     "rows": [[cell_term(t.subject), cell_term(t.predicate), cell_term(t.object)]
                              for t in triples[:HTML_ROWS]]}
        else:
            data = json.loads(result.body)
            if "boolean" in data:
                table = {"boolean": data["boolean"]}
            else:
                names = data["head"].get("vars", [])
                bindings = data["results"]["bindings"]
                table = {"vars": names, "total": len(bindings),
                         "rows": [[cell_json(b.get(v)) for v in names] for b in bindings[:HTML_ROWS]]}
        return render_template("sparql.html", query=query, examples=EXAMPLES, prefixes=prefix_text,
                               result=table, error=None, limit=HTML_ROWS)

    def cell_json(b):
        if b is None:
            return {"value": ""}
        if b["type"] == "uri":
            return {"value": short(b["value"]), "href": pages.href(b["value"])}
        return {"value": b["value"], "note": b.get("xml:lang") or (short(b["datatype"]) if "datatype" in b else None)}

    def cell_term(t):
        if isinstance(t, ox.NamedNode):
            return {"value": short(t.value), "href": pages.href(t.value)}
        if isinstance(t, ox.Literal):
            return {"value": t.value, "note": t.language or short(t.datatype.value)}
        return {"value": str(t)}

    def plain(status: int, text: str) -> Response:
        return Response(text if text.endswith("\n") else text + "\n", status=status, mimetype="text/plain")

    @app.after_request
    def _cors(resp):
        if request.path == "/sparql":
            if "Accept" not in resp.headers.get("Vary", ""):
                resp.headers.add("Vary", "Accept")
            resp.headers["Access-Control-Allow-Origin"] = "*"
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        return resp

    @app.errorhandler(404)
    def _not_found(_err):
        return render_template("404.html", path=request.path), 404

    # ------------------------------------------------------------ the route table
    app.add_url_rule("/", "home", home)
    app.add_url_rule("/sparql", "sparql", sparql, methods=["GET", "POST", "OPTIONS"])
    app.add_url_rule("/events", "events", events_page)
    app.add_url_rule("/map", "map", map_page)
    app.add_url_rule("/map.geojson", "map_geojson", map_geojson)
    app.add_url_rule("/dataset", "dataset", dataset)
    app.add_url_rule("/dataset.<suffix>", "dataset_twin", dataset)
    app.add_url_rule("/.well-known/void", "well_known_void", well_known_void)
    app.add_url_rule("/dumps/", "dumps", dumps)
    app.add_url_rule("/dumps/<name>", "dump_file", dump_file)
    app.add_url_rule("/ns/context.jsonld", "context", context)
    for folder in [*ENTITY_TYPES, "doc", "event"]:
        app.add_url_rule(f"/{folder}/", f"list_{folder}", listing, defaults={"folder": folder})
    register_reconciliation(app, pages.store)
    register_ego(app, pages)
    register_search(app, pages)
    app.add_url_rule("/<path:path>", "resource", resource)
    return app
