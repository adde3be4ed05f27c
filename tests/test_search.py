"""Search over real HTTP: misspellings nobody wrote, sentence text with escaped highlights, suggestions,
filters, a store without an index, and hostile text in a document; then a real browser in the header box."""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import requests
from markupsafe import escape
from playwright import sync_api

from conftest import SCREENSHOTS, copy_of, run_archivekg, select, start_server, stop_server
from graph.search_index import SEARCH_FILE
from graph.store import current_version
from web.search import SNIPPET

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_TITLE = """Telegram from Tabriz <script>alert(1)</script> about "><img src=x onerror=alert(1)>"""
HOSTILE = f"""Skip to content

November 23, 1945

{HOSTILE_TITLE}

This document was made possible with support from Leon Levy Foundation


FROM BAKU 23 November 1945


On 21 November General Derakhshani met Colonel Zanganeh in Tabriz and wrote <script>alert(1)</script> and "><img src=x onerror=alert(1)> on the wall.
"""


def section(html: str, name: str) -> str:
    """The inner HTML of one results list (entities, documents, sentences); '' when the page has none."""
    m = re.search(rf'<ul class="results {name}">(.*?)</ul>', html, re.S)
    return m.group(1) if m else ""


def hrefs(html: str) -> list[str]:
    return re.findall(r'<a (?:class="\w+" )?href="([^"]+)"', html)


def search(server: str, **params) -> requests.Response:
    r = requests.get(server + "/search", params=params, timeout=10)
    assert r.status_code == 200, r.text
    return r


def written_anywhere(server: str, text: str) -> int:
    """How many literals in the whole store contain the text, in any case."""
    rows = select(server, f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o
                  FILTER(isLiteral(?o) && CONTAINS(LCASE(STR(?o)), "{text.lower()}")) }}""")
    return int(rows[0]["n"])


def test_build_writes_the_index(seed_store, server):
    index = current_version(seed_store) / SEARCH_FILE
    assert index.is_file() and not index.with_name(SEARCH_FILE + ".partial").exists()
    with closing(sqlite3.connect(index.as_uri() + "?mode=ro", uri=True)) as db:
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("entity", "document", "sentence")}
    expected = {t: int(select(server, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")[0]["n"])
                for t, pattern in [("entity", "VALUES ?t { akg:Person akg:Place akg:Organization akg:Group } ?x a ?t"),
                                   ("document", "?x a akg:Document"), ("sentence", "?x a akg:Sentence")]}
    assert counts == expected


@pytest.mark.parametrize("typed, expected, name", [
    ("Pishevary", "/person/pishevari", "Pishevari"),
    ("Tebriz", "/place/tabriz", "Tabriz"),
    ("Bageroff", "/person/bagirov", "Bagirov"),
])
def test_a_misspelling_nobody_wrote_finds_the_entity(server, typed, expected, name):
    assert written_anywhere(server, typed) == 0
    assert written_anywhere(server, name) > 0
    r = search(server, q=typed)
    assert hrefs(section(r.text, "entities"))[0] == expected
    # nothing contains the misspelling, so the page offers the name it found
    assert re.search(rf'class="instead">.*<a href="/search\?q={name}">{name}</a>', r.text)


def test_a_phrase_finds_its_sentence_highlighted_and_escaped(server):
    phrase = "prominent representatives of the city"
    rows = select(server, """SELECT ?s ?text WHERE { ?s a akg:Sentence ; rdf:value ?text
                             FILTER(CONTAINS(?text, "Darakhshani's statement")) }""")
    assert rows, "the seed telegram's sentence about Darakhshani's statement"
    text = rows[0]["text"]
    assert phrase in text and "'" in text and len(text) <= SNIPPET
    r = search(server, q=phrase.upper())  # case and the form of the query do not matter
    sentences = section(r.text, "sentences")
    anchor = "#s-" + rows[0]["s"].rsplit("/s/", 1)[1]
    item = re.search(rf'<a class="snippet" href="[^"]*{anchor}">(.*?)</a>', sentences, re.S)
    assert item, sentences
    at = text.index(phrase)
    assert item.group(1) == f"{escape(text[:at])}<mark>{escape(phrase)}</mark>{escape(text[at + len(phrase):])}"
    assert "&#39;" in item.group(1)  # the apostrophe of "Darakhshani's", escaped like every character


def test_sentence_hits_are_paged(server):
    first = search(server, q="Tabriz", type="sentence").text
    total = int(re.search(r'<h2 id="sentences">Sentences <span class="muted">\((\d+)\)', first).group(1))
    assert total > 20  # more than one page on the seeds
    second = search(server, q="Tabriz", type="sentence", page=2).text
    one, two = hrefs(section(first, "sentences")), hrefs(section(second, "sentences"))
    assert len([h for h in one if "#s-" in h]) == 20 and not set(one) & {h for h in two if "#s-" in h}
    assert "<mark>Tabriz</mark>" in section(second, "sentences")
    assert ('href="/search?q=Tabriz&amp;type=sentence&amp;page=3#sentences"' in second) == (total > 40)


def test_suggestions(server):
    r = requests.get(server + "/search.json", params={"q": "pish"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    first = r.json()[0]
    assert set(first) == {"label", "type", "href", "matched"} and "Pishevari" in first["label"]
    assert (first["type"], first["href"], first["matched"]) == ("Person", "/person/pishevari", "Pishevari")
    assert requests.get(server + "/search.json", params={"q": "Tebriz", "limit": 1}, timeout=10).json()[0]["href"] \
        == "/place/tabriz"


def test_type_filter(server):
    everything = search(server, q="Tabriz").text
    assert {"/place/tabriz", "/group/tabriz-reactionaries"} <= set(hrefs(section(everything, "entities")))
    assert section(everything, "documents") and section(everything, "sentences")
    places = search(server, q="Tabriz", type="place").text
    assert "/place/tabriz" in hrefs(section(places, "entities"))
    assert all(h.startswith("/place/") for h in hrefs(section(places, "entities")))
    assert not section(places, "documents") and not section(places, "sentences")
    groups = search(server, q="Tabriz", type="group").text
    assert hrefs(section(groups, "entities")) == ["/group/tabriz-reactionaries"]
    docs = search(server, q="Tabriz", type="doc").text
    assert not section(docs, "entities") and all(h.startswith("/doc/") for h in hrefs(section(docs, "documents")))


def test_short_query_is_a_name_prefix(server):
    r = search(server, q="pi")
    assert "/person/pishevari" in hrefs(section(r.text, "entities"))
    assert not section(r.text, "sentences") and not section(r.text, "documents")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A server on a store built from one document whose title and text carry markup."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "report.txt").write_text(HOSTILE, encoding="utf-8")
    store = folder / "store"
    run_archivekg("build", str(folder / "report.txt"), "--store", str(store))
    proc, url = start_server(store)
    yield url, store
    stop_server(proc)


def test_markup_in_documents_is_shown_as_text(hostile_server):
    server, _ = hostile_server
    for q in ["Derakhshani", "alert(1)", "<script>", "onerror=alert"]:
        html = search(server, q=q).text
        assert "<script>alert" not in html and "<img src=x" not in html, q
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section(html, "sentences"), q
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in section(html, "sentences"), q
    html = search(server, q="onerror=alert").text
    assert "<mark>onerror=alert</mark>" in section(html, "sentences")
    assert "&lt;img src=x <mark>onerror=alert</mark>(1)&gt;" in section(html, "documents")
    r = requests.get(server + "/search.json", params={"q": "Telegram"}, timeout=10)
    assert r.headers["Content-Type"].startswith("application/json")
    assert {"label": HOSTILE_TITLE, "type": "Document", "href": "/doc/report", "matched": HOSTILE_TITLE} in r.json()


def test_a_store_without_an_index_says_so(hostile_server, tmp_path):
    _, built = hostile_server
    store = copy_of(built, tmp_path)
    (current_version(store) / SEARCH_FILE).unlink()
    proc, server = start_server(store)
    try:
        r = requests.get(server + "/search", params={"q": "Tabriz"}, timeout=10)
        assert r.status_code == 503 and "no search index yet: rebuild it with" in r.text
        assert "rebuild it" in requests.get(server + "/search.json", params={"q": "Tab"}, timeout=10).json()["error"]
        assert requests.get(server + "/", timeout=10).status_code == 200
        for path in ("/events?type=Communication", "/?live=1"):  # not stored pages
            r = requests.get(server + path, timeout=10)
            assert r.status_code == 200 and "no index of this version of archivekg beside it: rebuild it" in r.text
    finally:
        stop_server(proc)


# ------------------------------------------------------------ a real browser

def test_header_box_submit_and_pick(browser, server):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    box = "header form.search input[name=q]"
    page.goto(server + "/place/tabriz")
    page.fill(box, "Pishevary")
    page.press(box, "Enter")  # no suggestion chosen: the form submits
    page.wait_for_url(re.compile(r"/search\?q=Pishevary"))
    sync_api.expect(page.locator("ul.results a").first).to_have_attribute("href", "/person/pishevari")
    page.screenshot(path=str(SCREENSHOTS / "search-misspelled.png"))
    page.click("p.instead a")  # "Search the text for Pishevari?": names, titles and sentences
    page.wait_for_url(re.compile(r"/search\?q=Pishevari$"))
    sync_api.expect(page.locator("ul.results.sentences mark").first).to_have_text("Pishevari")
    sync_api.expect(page.locator("ul.results.documents mark").first).to_have_text("Pishevari")
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    page.locator("ul.results a").first.click()
    page.wait_for_url(re.compile(r"/person/pishevari$"))
    sync_api.expect(page.locator("h1")).to_contain_text("Pishevari")

    page.locator(box).press_sequentially("Pishevary", delay=30)
    options = page.locator("header [role=listbox] [role=option]")
    sync_api.expect(options.first).to_contain_text("Pishevari")
    assert page.get_attribute(box, "aria-expanded") == "true"
    page.press(box, "ArrowDown")
    sync_api.expect(options.first).to_have_attribute("aria-selected", "true")
    page.screenshot(path=str(SCREENSHOTS / "autocomplete.png"))
    page.press(box, "Enter")
    page.wait_for_url(re.compile(r"/person/pishevari$"))
    sync_api.expect(page.locator("h1")).to_contain_text("Pishevari")
    page.close()


def test_no_script_runs_from_document_text(browser, hostile_server):
    server, _ = hostile_server
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/search?q=alert(1)")
    sync_api.expect(page.locator("ul.results.sentences mark").first).to_be_visible()
    sync_api.expect(page.locator("ul.results.sentences")).to_contain_text("<script>alert(1)</script>")
    box = "header form.search input[name=q]"
    page.fill(box, "")
    page.locator(box).press_sequentially("Telegram", delay=30)
    option = page.locator("header [role=listbox] [role=option]", has_text="Telegram")
    sync_api.expect(option).to_contain_text('"><img src=x onerror=alert(1)>')
    page.wait_for_timeout(300)
    assert page.locator("img[src=x]").count() == 0 and dialogs == []
    page.close()
