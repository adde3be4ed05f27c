"""A document that carries markup is shown as text everywhere: on every page, in the timeline, the ego
network and search, in real Chromium with no dialog firing."""
from __future__ import annotations

import re

import pytest
import requests

from conftest import serve_text, stop_server

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEXT = f"""Telegram from Tabriz {SCRIPT}

On 17 November 1945 General Derakhshani reported to Qavam that partisans {SCRIPT} disarmed the gendarmes in Tabriz.
On 18 November 1945 the partisans arrested Colonel Zanganeh in Sarab {IMG} and attacked the post.
Pishevari met Derakhshani in Tabriz on 20 November 1945 {IMG}.
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    proc, url, _ = serve_text(tmp_path_factory.mktemp("hostile"), "hostile.txt", TEXT)
    yield url
    stop_server(proc)


def pages_to_visit(url: str) -> list[str]:
    """Every kind of page that shows the document's text: found by following the document's own links."""
    doc = "/doc/hostile"
    html = requests.get(url + doc, timeout=30).text
    links = set(re.findall(r'href="(/(?:person|place|org|group|event)/[^"#?.]+)"', html))
    assert any(l.startswith("/event/") for l in links) and any(l.startswith("/person/") for l in links), links
    return ["/", doc, "/events", "/events?from=1945-11&to=1945-11", "/search?q=alert", "/search?q=Derakhshani",
            "/search.json?q=Derakh", "/ego/person/derakhshani.json", "/map", "/dataset", "/dumps/",
            "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fx%20%3Chttp%3A%2F%2Fwww.w3.org%2F1999%2F02%2F22-rdf-syntax-ns%23value%3E%20%3Fs%20%7D",
            *sorted(links)]


def test_markup_in_a_document_is_text_on_every_page(hostile_server):
    visited = 0
    for path in pages_to_visit(hostile_server):
        r = requests.get(hostile_server + path, timeout=30, headers={"Accept": "text/html"})
        assert r.status_code == 200, path
        if r.headers["Content-Type"].startswith("application/json"):
            continue  # data, not markup: the pages that show it set it as text (checked in Chromium below)
        body = r.text
        assert "<script>alert(1)" not in body and "<img src=x" not in body, path  # never as markup
        visited += 1
    assert visited >= 15


def test_no_dialog_fires_in_chromium(browser, hostile_server):
    fired: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    shown = 0
    for path in pages_to_visit(hostile_server):
        page.goto(hostile_server + path)
        page.wait_for_load_state("networkidle")
        if SCRIPT in page.locator("body").inner_text():
            shown += 1
    page.close()
    assert fired == []
    assert shown >= 3  # the document, the timeline and search show the markup as the text it is
