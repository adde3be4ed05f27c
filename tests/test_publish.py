"""Publishing: dumps, exports, VoID, the Service Description, provenance, license and rights, and content
negotiation as real Linked Data clients (rdflib, pyld, requests) meet it over HTTP."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest
import rdflib
import requests
from pyld import jsonld

from conftest import ROOT, SEEDS, run_archivekg, select, start_server, stop_server
from graph.formats import BY_NAME
from graph.store import current_version, open_store

BASE = "https://kg.example/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
# rdflib's name of each format, with our format name and whether it keeps named graphs
FORMATS = [("nquads", "nquads", True), ("trig", "trig", True), ("jsonld", "json-ld", True),
           ("turtle", "turtle", False), ("ntriples", "nt", False), ("rdfxml", "xml", False)]


def store_counts(store_path: Path) -> tuple[int, int]:
    """(quads, distinct triples of the union) as SPARQL counts them."""
    store = open_store(store_path, read_only=True)
    quads = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    triples = int(next(iter(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value)
    return quads, triples


def parsed_count(data: bytes, fmt: str, quads: bool) -> tuple[int, int]:
    """(count by rdflib, count by pyoxigraph) of a serialization, as quads or as distinct triples."""
    if quads:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=fmt)
        by_rdflib = sum(len(g) for g in ds.graphs() if g.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID)
    else:
        by_rdflib = len(rdflib.Graph().parse(data=data, format=fmt))
    ox_format = {"json-ld": ox.RdfFormat.JSON_LD, "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
                 "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}[fmt]
    parsed = ox.parse(data, format=ox_format)
    by_ox = len({(q.subject, q.predicate, q.object, q.graph_name) if quads else q.triple for q in parsed})
    return by_rdflib, by_ox


@pytest.mark.parametrize("name,rdflib_format,quads", FORMATS)
def test_each_dump_parses_back_to_the_stores_count(seed_store, name, rdflib_format, quads):
    dump = current_version(seed_store) / "dumps" / f"archivekg.{BY_NAME[name].suffix}.gz"
    data = gzip.decompress(dump.read_bytes())
    n_quads, n_triples = store_counts(seed_store)
    expected = n_quads if quads else n_triples
    assert parsed_count(data, rdflib_format, quads) == (expected, expected)


def test_export_command_streams_every_format_and_one_graph(seed_store, tmp_path):
    n_quads, n_triples = store_counts(seed_store)
    for name, rdflib_format, quads in FORMATS:
        out = tmp_path / f"all.{name}"
        run_archivekg("export", "--store", str(seed_store), "--format", name, "--out", str(out))
        assert parsed_count(out.read_bytes(), rdflib_format, quads) == ((n_quads, n_quads) if quads else (n_triples, n_triples))
    store = open_store(seed_store, read_only=True)
    graph = ox.NamedNode(f"{BASE}graph/000-9af72bc09fc97839")
    in_graph = len(list(store.quads_for_pattern(None, None, None, graph)))
    turtle = run_archivekg("export", "--store", str(seed_store), "--format", "turtle", "--graph", "000-9af72bc09fc97839")
    assert len(rdflib.Graph().parse(data=turtle.stdout, format="turtle")) == in_graph
    record = run_archivekg("export", "--store", str(seed_store), "--format", "ntriples", "--graph", "240-listing-rgaspi-iran-02")
    page = ox.NamedNode(f"{BASE}graph/240-listing-rgaspi-iran")  # a listing record lives in its page's graph
    assert len(set(ox.parse(record.stdout.encode(), format=ox.RdfFormat.N_TRIPLES))) == len(
        list(store.quads_for_pattern(None, None, None, page)))
    missing = run_archivekg("export", "--store", str(seed_store), "--graph", "no-such-file", check=False)
    assert missing.returncode != 0 and "no graph" in missing.stderr


def test_export_memory_stays_within_the_servers(seed_store, tmp_path):
    """Peak memory of `archivekg export` against the serving process of `archivekg serve` on the same store.

    The peak is the process's own VmHWM (ru_maxrss would carry over the forking test process's size)."""
    code = ("import re, sys; from web.cli import main\n"
            "try: main(sys.argv[1:])\nexcept SystemExit: pass\n"
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), file=sys.stderr)")
    peaks = {}
    for name in ("nquads", "turtle", "jsonld"):
        proc = subprocess.run([sys.executable, "-c", code, "export", "--store", str(seed_store), "--format", name,
                               "--out", str(tmp_path / name)], capture_output=True, text=True, cwd=ROOT, check=True)
        peaks[name] = int(proc.stderr.strip().splitlines()[-1]) * 1024
    proc, url = start_server(seed_store)
    try:
        for path in ("/", "/person/pishevari", "/dataset", "/person/pishevari.jsonld"):
            requests.get(url + path, timeout=30)
        worker = max(psutil.Process(proc.pid).children(), key=lambda p: p.memory_info().rss)
        server = max(worker.memory_info().rss, psutil.Process(proc.pid).memory_info().rss)
    finally:
        stop_server(proc)
    for name, peak in peaks.items():
        assert peak <= 1.2 * server, (name, peak, server)


# ------------------------------------------------------------------------------------ VoID, SD, provenance
def void_graph(server) -> rdflib.Graph:
    return rdflib.Graph().parse(server + "/.well-known/void", format="turtle")


def test_void_counts_equal_what_sparql_counts(server):
    g = void_graph(server)
    ds = rdflib.URIRef(BASE + "dataset")
    assert (ds, rdflib.RDF.type, rdflib.URIRef(VOID + "Dataset")) in g
    outside = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{BASE}graph/void>)"
    triples = int(select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ {outside} }}")[0]["n"])
    assert int(g.value(ds, rdflib.URIRef(VOID + "triples"))) == triples
    entities = int(select(server, f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {outside}
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }}""")[0]["n"])
    assert int(g.value(ds, rdflib.URIRef(VOID + "entities"))) == entities
    distinct = select(server, f"SELECT (COUNT(DISTINCT ?s) AS ?s) (COUNT(DISTINCT ?o) AS ?o) WHERE {{ {outside} }}")[0]
    assert int(g.value(ds, rdflib.URIRef(VOID + "distinctSubjects"))) == int(distinct["s"]) > entities
    assert int(g.value(ds, rdflib.URIRef(VOID + "distinctObjects"))) == int(distinct["o"])
    classes = {r["c"]: int(r["n"]) for r in select(server, f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
        GRAPH ?g {{ ?s a ?c }} FILTER(?g != <{BASE}graph/void>) }} GROUP BY ?c""")}
    partitions = {str(g.value(p, rdflib.URIRef(VOID + "class"))): int(g.value(p, rdflib.URIRef(VOID + "entities")))
                  for p in g.objects(ds, rdflib.URIRef(VOID + "classPartition"))}
    assert partitions == classes and classes["https://w3id.org/archivekg/ns#Person"] > 50
    properties = {r["p"]: int(r["n"]) for r in select(server, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {outside} }} GROUP BY ?p")}
    by_property = {str(g.value(p, rdflib.URIRef(VOID + "property"))): int(g.value(p, rdflib.URIRef(VOID + "triples")))
                   for p in g.objects(ds, rdflib.URIRef(VOID + "propertyPartition"))}
    assert by_property == properties


def test_void_says_license_endpoint_dumps_and_build(server):
    g = void_graph(server)
    ds = rdflib.URIRef(BASE + "dataset")
    assert str(g.value(ds, rdflib.URIRef(DCT + "license"))) == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert str(g.value(ds, rdflib.URIRef(VOID + "sparqlEndpoint"))) == BASE + "sparql"
    for term in ("title", "description", "creator", "modified"):
        assert g.value(ds, rdflib.URIRef(DCT + term)) is not None, term
    dumps = sorted(str(d) for d in g.objects(ds, rdflib.URIRef(VOID + "dataDump")))
    assert len(dumps) == 6
    for dump in dumps:  # each advertised dump is served by the app (under its path: the base is a placeholder)
        r = requests.get(server + "/" + dump[len(BASE):], timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/gzip"
        assert len(gzip.decompress(r.content)) > 1000
    assert "/dumps/archivekg.nq.gz" in requests.get(server + "/dumps/", timeout=30).text
    vocabularies = {str(v) for v in g.objects(ds, rdflib.URIRef(VOID + "vocabulary"))}
    assert {"https://w3id.org/archivekg/ns#", "http://www.w3.org/ns/oa#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    home = requests.get(server + "/", timeout=30).text
    assert 'href="/dataset"' in home and 'href="/.well-known/void"' in home and 'href="/dumps/"' in home


def test_each_build_is_a_prov_activity_with_versions_and_file_hashes(seed_store):
    store = open_store(seed_store, read_only=True)
    rows = list(store.query(f"""PREFIX prov: <{PROV}> PREFIX akg: <https://w3id.org/archivekg/ns#>
        SELECT ?a ?start ?end (COUNT(DISTINCT ?u) AS ?files) (GROUP_CONCAT(DISTINCT ?v; separator="|") AS ?versions)
        WHERE {{ GRAPH ?pg {{ ?a a prov:Activity ; prov:startedAtTime ?start ; prov:endedAtTime ?end ;
                   prov:qualifiedUsage ?u ; akg:softwareVersion ?v . ?u akg:sha256 ?sha ; prov:entity ?f }} }}
        GROUP BY ?a ?start ?end""", use_default_graph_as_union=True))
    assert len(rows) == 1
    versions = rows[0]["versions"].value
    assert "archivekg " in versions and "spacy 3.8" in versions and "en_core_web_sm 3.8.0" in versions
    n_files = len(list(store.query("SELECT ?g WHERE { GRAPH ?g {} }")))  # files + corpus, ontology, void, provenance
    assert int(rows[0]["files"].value) == n_files - 4
    assert rows[0]["start"].value < rows[0]["end"].value
    linked = list(store.query(f"""PREFIX prov: <{PROV}> SELECT ?g WHERE {{ GRAPH ?pg {{ ?g prov:wasGeneratedBy <{rows[0]['a'].value}> }}
        GRAPH ?g {{ ?x ?p ?o }} }} GROUP BY ?g"""))
    assert len(linked) == n_files - 4  # each file's graph is linked to the build that made it


def test_documents_keep_the_archives_rights_and_source(server):
    rows = select(server, """SELECT ?doc ?source ?rights WHERE { ?doc a akg:Document ; akg:sourceFile/akg:fileName
        "000_9af72bc09fc97839.txt" ; dcterms:source ?source ; dcterms:rights ?rights }""")
    index = dict(line.split("\t")[:2] for line in (SEEDS / "INDEX.tsv").read_text().splitlines()[1:] if "\t" in line)
    assert rows and rows[0]["source"] == index["000_9af72bc09fc97839.txt"]
    assert rows[0]["rights"].startswith("The History and Public Policy Program welcomes reuse")
    frus = select(server, """SELECT ?doc WHERE { ?doc a akg:Document ; akg:sourceFile/akg:fileName ?f ; dcterms:rights ?r
        FILTER(STRSTARTS(?f, "215_")) }""")
    assert frus == []  # a page that prints no rights statement gets none invented


def test_geonames_ids_are_iris(server):
    rows = select(server, """SELECT ?place ?match WHERE { ?place a akg:Place ; rdfs:label "Tabriz" ; skos:exactMatch ?match }""")
    assert rows and all(r["match"].startswith("https://sws.geonames.org/") and r["match"].endswith("/") for r in rows)


def test_license_is_set_by_configuration(tmp_path):
    store = tmp_path / "licensed"
    run_archivekg("build", str(SEEDS / "001_16b4ceed8b7928de.txt"), "--store", str(store),
                  "--license", "https://creativecommons.org/licenses/by/4.0/")
    rows = list(open_store(store, read_only=True).query(
        f"SELECT ?l WHERE {{ GRAPH ?g {{ <{BASE}dataset> <{DCT}license> ?l }} }}"))
    assert [r["l"].value for r in rows] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_service_description_on_get_sparql(server):
    r = requests.get(server + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in r.headers["Vary"]
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    service = g.value(predicate=rdflib.RDF.type, object=rdflib.URIRef(SD + "Service"))
    assert str(g.value(service, rdflib.URIRef(SD + "endpoint"))) == server + "/sparql"
    assert (service, rdflib.URIRef(SD + "supportedLanguage"), rdflib.URIRef(SD + "SPARQL11Query")) in g
    formats = {str(f) for f in g.objects(service, rdflib.URIRef(SD + "resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats and "http://www.w3.org/ns/formats/RDF_XML" in formats
    names = {str(n) for n in g.objects(None, rdflib.URIRef(SD + "name"))}
    assert BASE + "graph/corpus" in names and BASE + "graph/000-9af72bc09fc97839" in names
    html = requests.get(server + "/sparql", headers={"Accept": "text/html"}, timeout=30)
    assert "<form" in html.text and "Accept" in html.headers["Vary"]


# ------------------------------------------------------------------------------------ content negotiation
# rdflib asks for most of these by their media type; for "nquads" (and no format) it lists every type it
# knows with the same q, and gets N-Triples, which its N-Quads parser reads.
@pytest.mark.parametrize("fmt", ["xml", "turtle", "nt", "n3", "json-ld", "trig", "nquads", None])
def test_rdflib_parses_an_entity_iri_in_every_format(server, fmt):
    graph = rdflib.Dataset() if fmt in ("trig", "nquads") else rdflib.Graph()
    graph.parse(server + "/person/pishevari", format=fmt)
    triples = set(graph.quads()) if fmt in ("trig", "nquads") else set(graph.triples((None, None, None)))
    assert any(str(t[0]) == BASE + "person/pishevari" and str(t[1]) == str(rdflib.RDFS.label) for t in triples)


@pytest.mark.parametrize("accept,expected", [
    ("application/rdf+xml", "application/rdf+xml"), ("text/plain", "application/n-triples"),
    ("text/n3", "text/n3"), ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"), ("text/html", "text/html"),
    ("*/*", "text/html"), (None, "text/html")])
def test_negotiated_responses_vary_on_accept_and_link_their_twins(server, accept, expected):
    r = requests.get(server + "/person/pishevari", headers={"Accept": accept} if accept else {}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == expected
    assert "Accept" in r.headers["Vary"]
    links = r.headers["Link"]
    for suffix, media in (("rdf", "application/rdf+xml"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json")):
        assert f'</person/pishevari.{suffix}>; rel="alternate"; type="{media}"' in links
    if expected == "text/html":
        assert '<link rel="alternate" type="application/rdf+xml" href="/person/pishevari.rdf">' in r.text


def test_every_twin_suffix_serves_its_format(server):
    for suffix, media in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
                          ("rdf", "application/rdf+xml"), ("n3", "text/n3")):
        r = requests.get(f"{server}/person/pishevari.{suffix}", timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media, suffix
        assert "Accept" in r.headers["Vary"]
    event = select(server, "SELECT ?e WHERE { ?e akg:reportedIn ?d ; akg:evidence ?s } LIMIT 1")[0]["e"]
    for path in ("/dataset.ttl", "/" + event[len(BASE):] + ".rdf", "/doc/000-9af72bc09fc97839.jsonld"):
        assert requests.get(server + path, timeout=30).status_code == 200, path


def test_unsatisfiable_accept_gets_406_with_what_is_offered(server):
    for path in ("/person/pishevari", "/dataset", "/.well-known/void"):
        r = requests.get(server + path, headers={"Accept": "image/png"}, timeout=30)
        assert r.status_code == 406 and "Accept" in r.headers["Vary"]
        assert "text/turtle" in r.text and "application/rdf+xml" in r.text


def test_rdf_client_never_gets_html(server):
    r = requests.get(server + "/person/no-such-person", headers={"Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 404 and not r.headers["Content-Type"].startswith("text/html")


def test_jsonld_twin_is_compacted_and_frames_by_type(server):
    doc = requests.get(server + "/person/pishevari.jsonld", timeout=30).json()
    context = requests.get(server + "/ns/context.jsonld", timeout=30).json()
    assert doc["@context"] == context["@context"]
    nodes = doc.get("@graph", [doc])
    me = next(n for n in nodes if n.get("@id") == BASE + "person/pishevari")
    assert me["@type"] == "akg:Person" and "rdfs:label" in me
    framed = jsonld.frame(doc, {"@context": context["@context"], "@type": "akg:Person"})
    people = framed.get("@graph", [framed])
    assert [p["@id"] for p in people] == [BASE + "person/pishevari"]
