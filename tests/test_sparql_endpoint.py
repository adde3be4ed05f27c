"""The SPARQL 1.1 Protocol endpoint over real HTTP, on a store built from the real seeds."""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pyoxigraph
import pytest
import rdflib
import requests

from graph.iris import sparql_prefixes
from conftest import select

PERSONS = ["Bagirov", "Maslennikov", "Stalin", "Molotov", "Beria", "Malenkov", "Derakhshani", "Glinsky", "Razin",
           "Wall", "Shabestari", "Sardar Satvet", "Pishevari", "Kennan", "Qavam"]
PLACES = ["Tabriz", "Sarab", "Baku", "Moscow", "Tehran", "Zanjan", "Meyaneh", r"Marag(a|heh)", "Qazvin", "Karej",
          "Mahabad", "Rezayeh", "Shahpur"]
TELEGRAM_FILE = "000_9af72bc09fc97839.txt"  # the telegram of 23 November 1945
JSON = "application/sparql-results+json"



@pytest.fixture(scope="module")
def persons(server) -> list[dict[str, str]]:
    return select(server, "SELECT ?p ?label WHERE { ?p a akg:Person ; rdfs:label ?label }")


def alt_labels(server: str, iri: str) -> set[str]:
    return {r["alt"] for r in select(server, f"SELECT ?alt WHERE {{ <{iri}> skos:altLabel ?alt }}")}


def person_iri(persons, surname: str) -> str:
    hits = [p["p"] for p in persons if surname.lower() in p["label"].lower()]
    assert len(hits) == 1, f"{surname}: {hits}"
    return hits[0]


@pytest.mark.parametrize("surname", PERSONS)
def test_each_person_exactly_once(persons, surname):
    hits = sorted({p["p"] for p in persons if surname.lower() in p["label"].lower()})
    assert len(hits) == 1, f"{surname} is {len(hits)} person nodes: {hits}"


def test_no_two_persons_share_a_label(persons):
    by_label: dict[str, set[str]] = {}
    for p in persons:
        by_label.setdefault(p["label"].lower(), set()).add(p["p"])
    assert {label: iris for label, iris in by_label.items() if len(iris) > 1} == {}


def test_variant_spellings_are_alt_labels(server, persons):
    assert "Bagriov" in alt_labels(server, person_iri(persons, "Bagirov"))
    alts = alt_labels(server, person_iri(persons, "Derakhshani"))
    assert {"Darakhshani", "Dorokshani"} <= alts


@pytest.mark.parametrize("place", PLACES)
def test_places(server, place):
    """A place named as in the documents, by its label or (for an older spelling) an alt label."""
    names = [r["name"] for r in select(server, """SELECT ?name WHERE { ?x a akg:Place .
                                                  { ?x rdfs:label ?name } UNION { ?x skos:altLabel ?name } }""")]
    assert any(re.fullmatch(place, name, re.IGNORECASE) for name in names), f"{place} not among {sorted(names)}"


def test_no_boilerplate_entities(server):
    labels = [r["label"] for r in select(server, """SELECT ?label WHERE {
        VALUES ?t { akg:Person akg:Place akg:Organization akg:Group } ?x a ?t ; rdfs:label ?label }""")]
    assert labels
    for bad in ["Leon Levy", "History and Public Policy", "Digital Archive"]:
        assert not [label for label in labels if bad.lower() in label.lower()], bad
    assert not [label for label in labels if label.strip().lower() == "received"]


def test_reported_to(server):
    rows = select(server, """SELECT DISTINCT ?sl ?rl ?date ?doc ?file WHERE {
        ?s akg:reportedTo ?r . ?s rdfs:label ?sl . ?r rdfs:label ?rl .
        ?ev a akg:Communication ; akg:agent ?s ; akg:recipient ?r ; akg:reportedIn ?doc .
        ?doc akg:sourceFile/akg:fileName ?file .
        OPTIONAL { ?ev akg:date ?date } }""")
    for sender in ["Bagirov", "Maslennikov"]:
        for recipient in ["Stalin", "Molotov", "Beria", "Malenkov"]:
            match = [r for r in rows if sender.lower() in r["sl"].lower() and recipient.lower() in r["rl"].lower()
                     and r.get("date") == "1945-11-23" and r["file"] == TELEGRAM_FILE]
            assert match, f"{sender} -> {recipient} on 1945-11-23 in {TELEGRAM_FILE} missing from {rows}"


# ---------------------------------------------------------------- protocol and formats
QUERY = sparql_prefixes() + "SELECT ?p ?label WHERE { ?p a akg:Person ; rdfs:label ?label } ORDER BY ?label"
CONSTRUCT = sparql_prefixes() + "CONSTRUCT { ?p rdfs:label ?label } WHERE { ?p a akg:Person ; rdfs:label ?label }"


def get(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return requests.get(server + "/sparql", params={"query": query, **params}, headers=headers, timeout=30)


def test_json_is_default_and_cors(server):
    r = get(server, QUERY)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith(JSON)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert len(r.json()["results"]["bindings"]) >= len(PERSONS)


def test_xml_csv_tsv_by_accept(server):
    n = len(get(server, QUERY).json()["results"]["bindings"])
    r = get(server, QUERY, "application/sparql-results+xml")
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(ET.fromstring(r.content).findall(f"{ns}results/{ns}result")) == n
    r = get(server, QUERY, "text/csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["p", "label"] and len(rows) == n + 1
    r = get(server, QUERY, "text/tab-separated-values")
    assert r.headers["Content-Type"].startswith("text/tab-separated-values")
    lines = r.text.strip("\n").split("\n")
    assert lines[0] == "?p\t?label" and len(lines) == n + 1


def test_format_param(server):
    assert get(server, QUERY, format="csv").headers["Content-Type"].startswith("text/csv")
    assert get(server, QUERY, format="tsv").headers["Content-Type"].startswith("text/tab-separated-values")
    assert get(server, QUERY, format="xml").headers["Content-Type"].startswith("application/sparql-results+xml")
    assert get(server, CONSTRUCT, format="nt").headers["Content-Type"].startswith("application/n-triples")
    assert get(server, CONSTRUCT, format="jsonld").headers["Content-Type"].startswith("application/ld+json")


def test_ask(server):
    r = get(server, sparql_prefixes() + "ASK { ?p a akg:Person }")
    assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.mark.parametrize("accept,rdflib_format", [
    (None, "turtle"), ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
])
def test_construct_formats_parse(server, accept, rdflib_format):
    r = get(server, CONSTRUCT, accept)
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.text, format=rdflib_format)
    labels = {str(o) for o in g.objects(None, rdflib.RDFS.label)}
    assert any("stalin" in label.lower() for label in labels)


def test_rdf_xml(server):
    r = get(server, CONSTRUCT, "application/rdf+xml")
    assert r.headers["Content-Type"].startswith("application/rdf+xml")
    assert len(rdflib.Graph().parse(data=r.text, format="xml")) > 0


def test_malformed_query_gives_parser_message(server):
    bad = "SELECT ?x WHERE { ?x ?y }"
    with pytest.raises(SyntaxError) as err:
        pyoxigraph.Store().query(bad)
    r = get(server, bad)
    assert r.status_code == 400
    assert str(err.value) in r.text


@pytest.mark.parametrize("how", ["form", "body", "query"])
def test_update_is_forbidden(server, how):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    if how == "form":
        r = requests.post(server + "/sparql", data={"update": update}, timeout=30)
    elif how == "body":
        r = requests.post(server + "/sparql", data=update, headers={"Content-Type": "application/sparql-update"},
                          timeout=30)
    else:
        r = requests.post(server + "/sparql", data={"query": "PREFIX ex: <http://example.org/>\n" + update}, timeout=30)
    assert r.status_code == 403
    assert "read-only endpoint" in r.text
    assert not get(server, "ASK { <http://example.org/a> ?p ?o }").json()["boolean"]


def test_post_form_and_body(server):
    r = requests.post(server + "/sparql", data={"query": QUERY}, headers={"Accept": JSON}, timeout=30)
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    r = requests.post(server + "/sparql", data=QUERY.encode(),
                      headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}, timeout=30)
    assert r.status_code == 200 and r.text.startswith("p,label")


def test_dataset_params(server):
    base = select(server, "SELECT ?b WHERE { ?d a void:Dataset ; void:uriSpace ?b }")[0]["b"]
    q = sparql_prefixes() + "SELECT (COUNT(*) AS ?n) WHERE { ?p a akg:Person }"
    n = lambda r: int(r.json()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert n(get(server, q, **{"default-graph-uri": base + "graph/corpus"})) > 0
    assert n(get(server, q, **{"default-graph-uri": "https://w3id.org/archivekg/ns"})) == 0
    g = sparql_prefixes() + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = get(server, g, **{"named-graph-uri": base + "graph/corpus"})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [base + "graph/corpus"]


def test_browser_form_page(server):
    r = requests.get(server + "/sparql", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and "<textarea" in r.text and 'action="/sparql"' in r.text
    r = requests.get(server + "/sparql", params={"query": QUERY, "format": "html"}, timeout=30)
    assert r.status_code == 200 and "<table" in r.text and "Stalin" in r.text
