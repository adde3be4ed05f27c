"""The Reconciliation Service API 0.2 endpoint (what OpenRefine speaks), over real HTTP on the seed store.

Every response is validated against the spec's own JSON Schemas (tests/data/reconciliation-0.2).
"""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from graph.iris import AKG
from conftest import select

SCHEMAS = Path(__file__).parent / "data" / "reconciliation-0.2"
_schemas = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
_registry = Registry().with_resources(
    (s["$id"].rstrip("#"), Resource.from_contents(s, default_specification=DRAFT7)) for s in _schemas.values())


def valid(schema: str, data) -> dict:
    """The data, after asserting it validates against one of the spec's schemas."""
    errors = [e.message for e in Draft7Validator(_schemas[schema], registry=_registry).iter_errors(data)]
    assert not errors, (schema, errors, data)
    return data


def get(server: str, path: str, schema: str, method: str = "GET", **params) -> dict:
    send = {"params": params} if method == "GET" else {"data": params}
    r = requests.request(method, server + path, timeout=30, **send)
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    return valid(schema, r.json())


def reconcile(server: str, queries: dict, method: str = "GET") -> dict:
    valid("reconciliation-query-batch", queries)
    return get(server, "/reconcile", "reconciliation-result-batch", method, queries=json.dumps(queries))


def ids(results: dict, qid: str) -> list[str]:
    return [c["id"] for c in results[qid]["result"]]



@pytest.fixture(scope="module")
def manifest(server) -> dict:
    return get(server, "/reconcile", "manifest")


def test_manifest_view_and_preview(server, manifest):
    base = select(server, "SELECT ?b WHERE { ?d a void:Dataset ; void:uriSpace ?b }")[0]["b"]
    assert manifest["versions"] == ["0.2"]
    assert (manifest["identifierSpace"], manifest["schemaSpace"]) == (base, AKG)
    assert [t["id"] for t in manifest["defaultTypes"]] == ["akg:Person", "akg:Place", "akg:Organization", "akg:Group"]
    # the view URL of an id is its entity page on this server, and the preview an escaped snippet
    top = reconcile(server, {"q": {"query": "Yemel'yanov", "type": "akg:Person"}})["q"]["result"][0]
    assert "'" in top["name"]
    page = requests.get(manifest["view"]["url"].replace("{{id}}", top["id"]), timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    preview = requests.get(manifest["preview"]["url"].replace("{{id}}", top["id"]), timeout=30)
    assert preview.status_code == 200 and preview.headers["Content-Type"].startswith("text/html")
    assert top["name"] not in preview.text  # the apostrophe is escaped ...
    assert top["name"] in BoldText.of(preview.text)  # ... and reads back as the label
    unknown = requests.get(server + "/reconcile/preview", params={"id": "person/nobody-at-all"}, timeout=30)
    assert unknown.status_code == 404


class BoldText(HTMLParser):
    @classmethod
    def of(cls, html: str) -> list[str]:
        p = cls()
        p.feed(html)
        return p.texts

    def __init__(self):
        super().__init__()
        self.texts, self._in = [], False

    def handle_starttag(self, tag, attrs):
        self._in = self._in or tag == "b"

    def handle_endtag(self, tag):
        self._in = self._in and tag != "b"

    def handle_data(self, data):
        if self._in:
            self.texts.append(data)


def test_typed_queries_get_and_post(server):
    queries = {"pish": {"query": "Pishavari", "type": "akg:Person", "limit": 3},
               "tabriz-person": {"query": "Tabriz", "type": ["akg:Person"]},
               "tabriz": {"query": "Tabriz"}}
    got = reconcile(server, queries)
    assert reconcile(server, queries, method="POST") == got
    best = got["pish"]["result"][0]
    assert best["id"] == "person/pishevari" and best["match"] is True and best["score"] >= 90
    assert best["type"] == [{"id": "akg:Person", "name": "Person"}] and best["description"]
    assert len(got["pish"]["result"]) <= 3
    # a type is a hard filter: the city is found untyped, never as a person
    assert got["tabriz"]["result"][0]["id"] == "place/tabriz" and got["tabriz"]["result"][0]["match"]
    assert all(not c["match"] and c["score"] < 70 and c["type"][0]["id"] == "akg:Person"
               for c in got["tabriz-person"]["result"])


def test_misspellings_nobody_wrote(server):
    typos = {"Pishevary": "person/pishevari", "Bageroff": "person/bagirov", "Багиров": "person/bagirov"}
    written = select(server, """SELECT DISTINCT ?n WHERE { { ?x rdfs:label|skos:altLabel ?n } UNION
                                { ?m akg:nameAsWritten ?n } }""")
    assert not {typo.lower() for typo in typos} & {row["n"].lower() for row in written}
    got = reconcile(server, {typo: {"query": typo} for typo in typos})
    for typo, expected in typos.items():
        assert ids(got, typo)[0] == expected, (typo, got[typo])


def test_property_constraints(server):
    got = reconcile(server, {
        "right-qid": {"query": "Stalin", "properties": [{"pid": "akg:wikidata", "v": "Q855"}]},
        "wrong-qid": {"query": "Stalin", "properties": [{"pid": "akg:wikidata", "v": "Q3616"}]},
        "qid-only": {"properties": [{"pid": "owl:sameAs", "v": "Q3616"}]},
        "firuz": {"query": "Firuz", "type": "akg:Person"},
        "firuz-role": {"query": "Firuz", "type": "akg:Person",
                       "properties": [{"pid": "akg:heldRole", "v": "Deputy Prime Minister"}]},
        "linked": {"query": "Bagirov", "properties": [{"pid": "akg:reportedTo", "v": [{"id": "person/stalin"}]}]},
    })
    right = got["right-qid"]["result"][0]
    assert right["id"] == "person/stalin" and right["match"]
    assert {"id": "akg:wikidata", "value": 100.0} in right["features"]
    assert not any(c["match"] for c in got["wrong-qid"]["result"])  # a contradicting value costs the match
    assert ids(got, "qid-only")[0] == "place/tehran"
    # a role as written (a linked node's name) tells namesakes apart
    plain, constrained = got["firuz"]["result"], got["firuz-role"]["result"]
    assert constrained[0]["id"] == "person/firuz" and constrained[0]["match"]
    assert constrained[0]["score"] - constrained[1]["score"] > plain[0]["score"] - plain[1]["score"]
    linked = got["linked"]["result"][0]
    assert linked["id"] == "person/bagirov" and {"id": "akg:reportedTo", "value": 100.0} in linked["features"]


def test_suggest_proposals_and_extension(server, manifest):
    def service(kind: str) -> str:
        s = manifest["suggest"][kind]
        return s["service_url"].removeprefix(server) + s["service_path"]

    entities = get(server, service("entity"), "suggest-entities-response", prefix="pish")["result"]
    assert entities[0]["id"] == "person/pishevari"
    types = get(server, service("type"), "suggest-types-response", prefix="pers")["result"]
    assert [t["id"] for t in types] == ["akg:Person"]
    props = get(server, service("property"), "suggest-properties-response", prefix="held")["result"]
    assert "akg:heldRole" in [p["id"] for p in props]
    proposals = manifest["extend"]["propose_properties"]
    proposed = get(server, proposals["service_path"], "data-extension-property-proposal", type="akg:Place")
    assert {"akg:wikidata", "skos:altLabel"} <= {p["id"] for p in proposed["properties"]}
    assert "akg:heldRole" not in {p["id"] for p in proposed["properties"]}
    extension = {"ids": ["person/stalin", "person/pishevari"],
                 "properties": [{"id": "akg:wikidata"}, {"id": "akg:heldRole"}]}
    valid("data-extension-query", extension)
    rows = get(server, "/reconcile", "data-extension-response", "POST", extend=json.dumps(extension))["rows"]
    assert rows["person/stalin"]["akg:wikidata"] == [{"str": "Q855"}]
    roles = rows["person/pishevari"]["akg:heldRole"]
    assert roles and all(r["id"].startswith("role/") and r["name"] for r in roles)


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '{"q": "Tabriz"}', '{"q": {"query": 5}}', '{"q": {}}',
                                     '{"q": {"query": "x", "properties": [{"pid": "no iri <>", "v": "x"}]}}'])
def test_bad_queries_get_400_json(server, payload):
    for r in (requests.get(server + "/reconcile", params={"queries": payload}, timeout=30),
              requests.post(server + "/reconcile", data={"queries": payload}, timeout=30)):
        assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/json")
        assert r.json()["error"] and r.headers["Access-Control-Allow-Origin"] == "*"
