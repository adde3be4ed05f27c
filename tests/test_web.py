"""The browsable pages over real HTTP, on a store built from the real seeds."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import rdflib
import requests

from conftest import select

TELEGRAM_FILE = "000_9af72bc09fc97839.txt"  # the 23 November 1945 telegram


class Links(HTMLParser):
    """Collects <a> elements: their attributes and text."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = {**dict(attrs), "text": ""}
            self.links.append(self._open)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data


def links(html: str) -> list[dict]:
    p = Links()
    p.feed(html)
    return p.links



@pytest.fixture(scope="module")
def base(server) -> str:
    return select(server, "SELECT ?b WHERE { ?d a void:Dataset ; void:uriSpace ?b }")[0]["b"]


@pytest.fixture(scope="module")
def telegram(server, base) -> str:
    """The local path of the telegram's document page, found through its source file name."""
    rows = select(server, f"""SELECT ?d WHERE {{ ?d a akg:Document ; akg:documentKind "page" ;
                              akg:sourceFile/akg:fileName "{TELEGRAM_FILE}" }}""")
    assert len(rows) == 1, rows
    return "/" + rows[0]["d"][len(base):]


@pytest.fixture(scope="module")
def derakhshani(server, base) -> str:
    """The local path of Derakhshani's page, found through the data rather than guessed."""
    rows = select(server, """SELECT ?p WHERE { ?p a akg:Person ; rdfs:label ?l
                             FILTER(CONTAINS(LCASE(?l), "derakhshani")) }""")
    assert len(rows) == 1, rows
    return "/" + rows[0]["p"][len(base):]


def test_home_counts(server):
    r = requests.get(server + "/", timeout=10)
    assert r.status_code == 200
    shown = {folder: int(n) for folder, n in re.findall(r'data-type="(\w+)"><span class="n">(\d+)</span>', r.text)}
    expected = {}
    for folder, cls in [("person", "Person"), ("place", "Place"), ("org", "Organization"), ("group", "Group"),
                        ("doc", "Document")]:
        expected[folder] = int(select(server, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a akg:{cls} }}")[0]["n"])
    expected["event"] = int(select(server, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e akg:reportedIn ?d }")[0]["n"])
    assert shown == expected
    assert shown["person"] >= 15 and shown["place"] >= 13 and shown["doc"] >= 3
    for folder in shown:
        assert requests.get(f"{server}/{folder}/", timeout=10).status_code == 200


def test_list_page(server, derakhshani):
    r = requests.get(server + "/person/", timeout=10)
    assert derakhshani in {a.get("href") for a in links(r.text)}


@pytest.mark.parametrize("q", ["derakhshani", "DOROKSHANI", "darakh"])
def test_search_by_label_and_alt_label(server, derakhshani, q):
    r = requests.get(server + "/search", params={"q": q}, timeout=10)
    assert r.status_code == 200
    assert derakhshani in {a.get("href") for a in links(r.text)}


def test_search_is_escaped(server):
    r = requests.get(server + "/search", params={"q": "<script>alert(1)</script>"}, timeout=10)
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_entity_page(server, derakhshani, telegram):
    r = requests.get(server + derakhshani, timeout=10)
    assert r.status_code == 200
    assert "Darakhshani" in r.text and "Dorokshani" in r.text
    # sentences that mention him, with his name highlighted and a link to the document anchor
    assert re.search(r"gave the police the task of\s+submitting lists", r.text)
    assert "<mark>Derakhshani</mark>" in r.text
    doc_links = [a["href"] for a in links(r.text) if a.get("class") == "sentence-link"]
    assert any(h.startswith(f"{telegram}#m-") for h in doc_links), doc_links


def test_document_page(server, derakhshani, telegram):
    r = requests.get(server + telegram, timeout=10)
    assert r.status_code == 200
    assert "Telegram from Baku to Moscow" in r.text
    assert "We report information about" in r.text and "as of 2200 22 November" in r.text
    assert "RGASPI, f. 558, op. 11, d. 99" in r.text
    mentions = [a for a in links(r.text) if a.get("class") == "mention"]
    assert mentions and all(re.fullmatch(r"m-\d+-\d+", a["id"]) for a in mentions)
    assert any(a["href"] == derakhshani and "Derakhshani" in a["text"] for a in mentions)
    assert re.search(r'<span class="sent" id="s-\d+-\d+">', r.text)
    # every linked entity page exists
    for href in sorted({a["href"] for a in mentions}):
        assert requests.get(server + href, timeout=10).status_code == 200, href


def test_mention_anchor_from_entity_page_exists(server, derakhshani):
    entity = requests.get(server + derakhshani, timeout=10).text
    href = next(a["href"] for a in links(entity) if a.get("class") == "sentence-link")
    page, anchor = href.split("#")
    doc = requests.get(server + page, timeout=10).text
    assert f'id="{anchor}"' in doc


def test_file_name_alias_redirects(server, telegram):
    r = requests.get(server + "/doc/" + TELEGRAM_FILE.removesuffix(".txt"), timeout=10)
    assert r.status_code == 200 and r.url.endswith(telegram)


def test_event_pages(server, telegram):
    """The telegram reports events (its own communication, the Sarab disarmament): each has a page with its
    evidence, and the document lists events only, each with its evidence sentence (no empty role rows)."""
    r = requests.get(server + telegram, timeout=10)
    events = sorted({a["href"] for a in links(r.text) if re.fullmatch(r"/event/[^/#]+", a.get("href", ""))})
    assert len(events) >= 3, events
    for href in events:
        page = requests.get(server + href, timeout=10)
        assert page.status_code == 200 and "Evidence" in page.text, href
    table = r.text.split("Events reported", 1)[1]
    rows = re.findall(r'<li class="ev".*?</li>', table, re.S)
    assert len(rows) == len(events) and all('class="evidence"' in row for row in rows)
    assert sum('class="role"' in row for row in rows) >= len(rows) - 2
    assert "role statement" not in table.lower() and "RoleStatement" not in table


def test_document_text_leaves_out_the_sites_furniture(server, telegram):
    page = requests.get(server + telegram, timeout=10).text
    text = page.split('<div class="doctext">', 1)[1].split("</div>", 1)[0]
    assert "made possible with support" not in text and "We report" in text


def test_unknown_entity_is_404(server):
    assert requests.get(server + "/person/no-such-person-anywhere", timeout=10).status_code == 404
    assert requests.get(server + "/doc/no-such-doc", timeout=10).status_code == 404
    assert requests.get(server + "/person/no-such-person-anywhere.ttl", timeout=10).status_code == 404


@pytest.mark.parametrize("ext,fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_machine_readable_twins(server, base, derakhshani, ext, fmt):
    r = requests.get(f"{server}{derakhshani}.{ext}", timeout=10)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format=fmt)
    iri = rdflib.URIRef(base + derakhshani[1:])
    assert any("Derakhshani" in str(o) for o in g.objects(iri, rdflib.RDFS.label))
    assert {str(o) for o in g.objects(iri, rdflib.SKOS.altLabel)} >= {"Darakhshani", "Dorokshani"}


def test_entity_content_negotiation(server, base, derakhshani):
    r = requests.get(server + derakhshani, headers={"Accept": "text/turtle"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(base + derakhshani[1:]), None, None) in g
