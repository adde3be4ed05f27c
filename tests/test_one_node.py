"""One person, one node, over HTTP: no two entities share a name, variants sit on one node."""
from __future__ import annotations

from collections import defaultdict

import requests

from extract.names import INSTITUTION_HEADS, name_key

QUERY = """PREFIX akg: <https://w3id.org/archivekg/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?t ?name WHERE { VALUES ?t { akg:Person akg:Place akg:Organization }
  ?e a ?t . { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name } }"""


def names_by_entity(server: str) -> dict[tuple[str, str], set[str]]:
    r = requests.get(server + "/sparql", params={"query": QUERY},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for b in r.json()["results"]["bindings"]:
        found[(b["e"]["value"], b["t"]["value"])].add(b["name"]["value"])
    return found


def test_no_two_entities_share_a_name(server):
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (entity, type_), names in names_by_entity(server).items():
        for name in names:
            if type_.endswith("#Organization") and name_key(name) in INSTITUTION_HEADS:
                continue  # "the Majlis", "the Embassy" named alone: a different body in each document, on purpose
            owners[(type_, name_key(name))].add(entity)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared, shared


def test_variants_and_codenames_sit_on_one_node(server):
    by_name = {name: entity for (entity, _), names in names_by_entity(server).items() for name in names}
    for variants in (["Bagirov", "Bagriov", "M.D. Bagriov", "Mir Bagirov"],
                     ["Derakhshani", "Darakhshani", "Dorokshani", "Darakhshami"],
                     ["Pishevari", "Jafar Pishavari"], ["Stalin", "Filippov"], ["Tehran", "Teheran"],
                     ["Rezayeh", "Urmia"], ["Meyaneh", "Mianeh"]):
        assert len({by_name[v] for v in variants}) == 1, variants
    assert by_name["Filippov"].endswith("/person/stalin")
