"""The questions a historian asks of events, in SPARQL over HTTP, answered with evidence sentences."""
from __future__ import annotations

import requests

PREFIXES = """PREFIX akg: <https://w3id.org/archivekg/ns#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def select(server: str, query: str) -> list[dict[str, str]]:
    r = requests.post(server + "/sparql", data={"query": PREFIXES + query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def test_who_was_disarmed_in_sarab_and_when(server):
    rows = select(server, """SELECT ?who ?date ?sentence WHERE {
        ?e a akg:Disarmament ; akg:place ?sarab ; akg:patient/rdfs:label ?who ; akg:date ?date ;
           akg:evidence/rdf:value ?sentence .
        ?sarab rdfs:label "Sarab" . FILTER(CONTAINS(?sentence, "disarm")) }""")
    assert {r["date"] for r in rows} == {"1945-11-17"}
    assert "Iranian troops" in {r["who"] for r in rows}
    assert all("a platoon of Iranian soldiers was also disarmed" in r["sentence"] for r in rows)


def test_what_derakhshani_did_on_22_november_1945(server):
    rows = select(server, """SELECT ?type ?place ?sentence ?antecedent WHERE {
        ?e akg:agent ?d ; akg:date "1945-11-22"^^xsd:date ; a ?type ; akg:place/rdfs:label ?place ;
           akg:evidence/rdf:value ?sentence ; akg:supportingEvidence/rdf:value ?antecedent .
        ?d rdfs:label "Derakhshani" . }""")
    assert [(r["type"].split("#")[1], r["place"]) for r in rows] == [("MartialLaw", "Tabriz")]
    # the evidence, and the sentence that names whom its "he" stands for
    assert "he introduced martial law in Tabriz" in rows[0]["sentence"]
    assert "General Derakhshani gave the police" in rows[0]["antecedent"]


def test_whom_the_minister_of_war_of_iran_turned_to(server):
    rows = select(server, """SELECT ?whom ?sentence WHERE {
        ?e akg:agentAsWritten ?agent ; akg:recipient/rdfs:label ?whom ; akg:evidence/rdf:value ?sentence .
        FILTER(CONTAINS(?agent, "Minister of War of Iran")) }""")
    assert [r["whom"] for r in rows] == ["Razin"]
    assert rows[0]["sentence"].startswith("The Minister of War of Iran turned to our attaché, Colonel Razin")


def test_who_was_elected_to_the_presidium_on_22_november_1945(server):
    rows = select(server, """SELECT ?name ?sentence WHERE {
        ?e a akg:Election ; akg:date "1945-11-22"^^xsd:date ; akg:patient/rdfs:label ?name ;
           akg:evidence/rdf:value ?sentence . }""")
    assert sorted(r["name"] for r in rows) == ["Biriya", "Ilhami", "Rafii", "Shabestari"]
    assert all("presidium" in r["sentence"] for r in rows)


def test_shortcuts_trace_back_to_their_event(server):
    rows = select(server, """SELECT ?a ?b ?e WHERE {
        ?a akg:disarmed ?b . ?e akg:agent ?a ; akg:patient ?b ; a akg:Disarmament ; akg:evidence ?s . }""")
    assert rows
    rows = select(server, """SELECT ?holder ?role ?place WHERE {
        ?holder akg:heldRole ?r . ?r akg:roleName ?role ; akg:place/rdfs:label ?place ; akg:evidence ?s .
        ?holder rdfs:label "Wall" }""")
    assert ("British consul", "Tabriz") in {(r["role"], r["place"]) for r in rows}
