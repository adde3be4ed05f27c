"""Names in any script: a Cyrillic page and an Azerbaijani Latin page build and join the English spellings
of the same people; no name, however written, can crash the resolver or mint an invalid or unstable IRI."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode

from conftest import copy_of, run_archivekg
from extract.authority import Authority, load_authority
from extract.names import fold, name_key, skeleton
from extract.records import TYPE_FOLDERS, Field, Mention
from extract.resolve import resolve
from graph.iris import Minter
from graph.store import open_store

PAGES = Path(__file__).resolve().parent / "data" / "scripts"


def test_romanization_joins_scripts():
    assert fold("Пишевари") == "pishevari" and fold("Багиров") == "bagirov"
    assert skeleton("Pişəvəri") == skeleton("Pishevari") == skeleton("Пишевари")
    assert name_key("Ərdəbil") == "ardabil" and skeleton("Ərdəbil") == skeleton("Ardebil")
    assert name_key("Мир Джафар Багиров") == "mir dzhafar bagirov"


def test_cyrillic_and_azerbaijani_pages_build_and_join_the_english_names(seed_store, tmp_path):
    store_path = copy_of(seed_store, tmp_path)
    proc = run_archivekg("build", str(PAGES), "--store", str(store_path))
    assert proc.returncode == 0
    store = open_store(store_path, read_only=True)
    rows = store.query("""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX akg: <https://w3id.org/archivekg/ns#>
        SELECT ?written ?e WHERE { ?m oa:hasBody ?e ; akg:nameAsWritten ?written ; akg:document ?d .
        FILTER(CONTAINS(STR(?d), "cyrillic") || CONTAINS(STR(?d), "azerbaijani")) }""",
                       use_default_graph_as_union=True)
    found = {(r["written"].value, r["e"].value.rsplit("/", 2)[-2] + "/" + r["e"].value.rsplit("/", 1)[-1]) for r in rows}
    assert ("Пишевари", "person/pishevari") in found
    assert ("Багиров", "person/bagirov") in found
    assert ("Pişəvəri", "person/pishevari") in found
    # the same nodes the English documents use
    english = {r["e"].value for r in store.query("""PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX akg: <https://w3id.org/archivekg/ns#>
        SELECT DISTINCT ?e WHERE { ?m oa:hasBody ?e ; akg:nameAsWritten ?n . FILTER(?n IN ("Pishevari", "Bagirov")) }""",
                                                  use_default_graph_as_union=True)}
    assert {Minter().entity("person/pishevari").value, Minter().entity("person/bagirov").value} <= english


def mentions_of(names: list[str], type_: str) -> list[Mention]:
    return [Mention(doc_id="d", start=i, end=i + 1, text=n, name=n, type=type_, sentence=Field(0, 1, "x"),
                    section="body", rule="test", confidence=1.0) for i, n in enumerate(names)]


IRI_PATH = re.compile(r"(?:person|place|org|group)/[a-z0-9]+(?:-[a-z0-9]+)*")


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.text(min_size=1, max_size=24), min_size=1, max_size=5),
       type_=st.sampled_from(sorted(TYPE_FOLDERS)), with_authority=st.booleans())
def test_any_name_resolves_to_a_valid_stable_iri(names, type_, with_authority):
    authority = load_authority() if with_authority else Authority()
    first = mentions_of(names, type_)
    resolve(first, authority=authority)
    again = mentions_of(names, type_)
    resolve(again, authority=authority)
    minter = Minter()
    for a, b in zip(first, again):
        assert a.entity == b.entity  # stable
        assert IRI_PATH.fullmatch(a.entity), a.entity
        iri = minter.entity(a.entity)
        assert NamedNode(iri.value) == iri and minter.local_path(iri.value) == a.entity
