"""The ego network of an entity page: the graph's relations and roles, each edge with evidence that resolves."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import requests
from flask import Flask, render_template
from playwright.sync_api import expect

from graph.iris import sparql_prefixes

from conftest import SCREENSHOTS, run_archivekg, select, start_server, stop_server

RELATIONS = ("reportedTo sentMessageTo ordered appealedTo metWith attacked disarmed arrested killed electedTo "
             "commanded").split()


def ego_json(server: str, path: str, **params) -> dict:
    r = requests.get(f"{server}/ego/{path}.json", params=params, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def graph_links(server: str, iri: str) -> tuple[set, set]:
    """What the graph says about the entity, by a query of our own: (s, relation label, o) for every
    shortcut and role either way, and for each shortcut the labels of its narrower relations."""
    values = " ".join(f"akg:{r}" for r in RELATIONS)
    rows = select(server, f"""SELECT DISTINCT ?s ?label ?o ?narrower WHERE {{
          {{ VALUES ?p {{ {values} }} {{ <{iri}> ?p ?o BIND(<{iri}> AS ?s) }} UNION {{ ?s ?p <{iri}> BIND(<{iri}> AS ?o) }}
             ?p rdfs:label ?label OPTIONAL {{ ?sub rdfs:subPropertyOf+ ?p ; rdfs:label ?narrower }} }}
          UNION {{ {{ <{iri}> akg:heldRole ?r BIND(<{iri}> AS ?s) ?r akg:organization|akg:place ?o }}
                   UNION {{ ?s akg:heldRole ?r . ?r akg:organization|akg:place ?o FILTER(?o = <{iri}>) }}
                   ?r akg:roleName ?label }} }}""")
    said = {(r["s"], r["label"].casefold(), r["o"]) for r in rows}
    implied_by = {(r["s"], r["label"].casefold(), r["o"], r["narrower"].casefold()) for r in rows if "narrower" in r}
    return said, implied_by


def test_bagirov_edges_are_what_the_graph_says(server):
    data = ego_json(server, "person/bagirov")
    iri = data["id"]
    said, implied_by = graph_links(server, iri)
    assert len(said) >= 10, said
    ego_edges = {(e["source"], e["relation"].casefold(), e["target"]) for e in data["edges"] if iri in (e["source"], e["target"])}
    # nothing invented: every edge at the entity is a shortcut or a role of the graph
    assert ego_edges <= said, ego_edges - said
    # nothing lost: every shortcut and role is an edge, or implied by a narrower one between the same pair
    for s, label, o in said:
        assert (s, label, o) in ego_edges or any((s, n, o) in ego_edges for s2, l2, o2, n in implied_by
                                                 if (s2, l2, o2) == (s, label, o)), (s, label, o)
    # one edge per pair and relation, with its count; every neighbour drawn, none hidden at this size
    keys = [(e["source"], e["relation"].casefold(), e["target"]) for e in data["edges"]]
    assert len(keys) == len(set(keys))
    neighbours = {x for s, _, o in said for x in (s, o)} - {iri}
    assert {n["id"] for n in data["nodes"]} == neighbours | {iri}
    assert data["hidden"] == 0 and data["shown"] == len(neighbours)
    stalin = next(e for e in data["edges"] if e["target"].endswith("/person/stalin") and e["source"] == iri
                  and e["relation"] == "reported to")
    assert stalin["count"] >= 5 and len(stalin["evidence"]) >= 5
    assert {n["type"] for n in data["nodes"]} >= {"Person", "Organization"}
    for missing in ("person/no-such-person", "doc/000-9af72bc09fc97839"):
        assert requests.get(f"{server}/ego/{missing}.json", timeout=30).status_code == 404


def test_every_edge_links_to_its_evidence(server):
    data = ego_json(server, "person/bagirov")
    base = data["id"][:-len("person/bagirov")]
    pages: dict[str, str] = {}
    sentences = []
    for e in data["edges"]:
        assert e["evidence"], e
        assert e["count"] >= 1
        for ev in e["evidence"]:
            m = re.fullmatch(r"/doc/([^#]+)#(s-(\d+)-(\d+))", ev["href"])
            assert m, ev
            if m.group(1) not in pages:
                r = requests.get(server + "/doc/" + m.group(1), timeout=30)
                assert r.status_code == 200, ev["href"]
                pages[m.group(1)] = r.text
            assert f'id="{m.group(2)}"' in pages[m.group(1)], ev["href"]
            assert ev["text"]
        first = re.fullmatch(r"/doc/([^#]+)#s-(\d+-\d+)", e["evidence"][0]["href"])
        sentences.append((f"{base}doc/{first.group(1)}/s/{first.group(2)}", e["source"], e["target"]))
    # each edge's first sentence is the evidence of an event or role in which both ends take part
    values = " ".join(f"(<{s}> <{a}> <{b}>)" for s, a, b in sentences)
    r = requests.post(server + "/sparql", data=sparql_prefixes() + f"""SELECT DISTINCT ?sent ?a ?b WHERE {{
          VALUES (?sent ?a ?b) {{ {values} }} ?x akg:evidence ?sent ; ?r1 ?a ; ?r2 ?b }}""",
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
                      timeout=30)
    assert r.status_code == 200, r.text
    found = {(b["sent"]["value"], b["a"]["value"], b["b"]["value"]) for b in r.json()["results"]["bindings"]}
    assert found == set(sentences)


def test_hub_is_capped_to_the_most_connected(server):
    full = ego_json(server, "person/bagirov")
    capped = ego_json(server, "person/bagirov", limit=5)
    weight = {n["id"]: n["weight"] for n in full["nodes"] if not n["ego"]}
    kept = [n["id"] for n in capped["nodes"] if not n["ego"]]
    assert len(kept) == capped["shown"] == 5
    assert capped["hidden"] == len(weight) - 5 > 0
    assert min(weight[k] for k in kept) >= max(w for n, w in weight.items() if n not in kept)
    assert all({e["source"], e["target"]} <= set(kept) | {capped["id"]} for e in capped["edges"])
    # the partial says what it left out
    app = Flask("web")  # the package's own templates and static folder
    with app.test_request_context("/person/bagirov"):
        html = render_template("ego.html", ego=capped, path="person/bagirov")
    assert f"{capped['hidden']} more not shown" in html


class EgoTable(HTMLParser):
    """Rows of table.ego-edges (cells as text, links as hrefs) and the #ego-data block."""

    def __init__(self):
        super().__init__()
        self.rows, self.data, self._in_table, self._in_data, self._cell = [], "", False, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "ego-edges" in (a.get("class") or ""):
            self._in_table = True
        elif tag == "script" and a.get("id") == "ego-data":
            self._in_data = True
        elif self._in_table and tag == "tr":
            self.rows.append({"cells": [], "links": []})
        elif self._in_table and tag == "td":
            self._cell = []
        elif self._in_table and tag == "a" and self.rows:
            self.rows[-1]["links"].append(a["href"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag == "script":
            self._in_data = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, text):
        if self._in_data:
            self.data += text
        elif self._cell is not None:
            self._cell.append(text)


def test_table_lists_every_edge_without_scripts(server):
    r = requests.get(server + "/person/bagirov", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200
    table = EgoTable()
    table.feed(r.text)
    data = ego_json(server, "person/bagirov")
    assert json.loads(table.data) == data  # the page embeds the same network as the JSON route
    rows = [row for row in table.rows if row["cells"]]
    assert len(rows) == len(data["edges"])
    href = {n["id"]: n["href"] for n in data["nodes"]}
    label = {n["id"]: n["label"] for n in data["nodes"]}
    for row, e in zip(rows, data["edges"]):
        assert row["cells"][:4] == [label[e["source"]], e["relation"], label[e["target"]], str(e["count"])]
        assert row["links"][:2] == [href[e["source"]], href[e["target"]]]
        assert row["links"][2:] == [ev["href"] for ev in e["evidence"]]
    assert re.search(r'<div id="ego-graph"[^>]*\shidden[\s>]', r.text)  # drawn only when scripts run


# ------------------------------------------------------------------------------ in a real browser

def open_network(browser, url: str, dialogs: list | None = None):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    if dialogs is not None:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_function("window.egoGraph && window.egoGraph.nodes().length > 1")
    return page


def test_browser_draws_the_network_and_edges_lead_to_evidence(browser, server):
    page = open_network(browser, server + "/person/bagirov")
    graph = page.locator("#ego-graph")
    expect(graph).to_be_visible()
    box = graph.bounding_box()
    assert box["width"] > 500 and box["height"] > 300, box
    # something is painted on the canvases, and every node lies inside the drawing
    painted = page.evaluate("""() => [...document.querySelectorAll('#ego-graph canvas')].some(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })""")
    assert painted
    inside = page.evaluate("""() => { const cy = window.egoGraph, w = cy.width(), h = cy.height();
        return cy.nodes().every(n => { const p = n.renderedPosition(); return p.x >= 0 && p.x <= w && p.y >= 0 && p.y <= h; }); }""")
    assert inside
    assert page.evaluate("window.egoGraph.nodes().length") == len(ego_json(server, "person/bagirov")["nodes"])
    page.locator("#network figure").screenshot(path=str(SCREENSHOTS / "ego.png"))

    # an edge with one evidence sentence: tapping it opens the document at that sentence
    href = page.evaluate("""() => { const e = window.egoGraph.edges().filter(e => e.data('evidence').length === 1)[0];
        const h = e.data('evidence')[0].href; e.emit('tap'); return h; }""")
    page.wait_for_url(re.compile(r"/doc/.+#s-\d+-\d+$"))
    anchor = href.split("#", 1)[1]
    assert page.url.endswith(href)
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == anchor
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()

    # an edge with several: a list of its evidence, whose links lead to the sentences
    page.goto(server + "/person/bagirov")
    page.wait_for_function("window.egoGraph && window.egoGraph.nodes().length > 1")
    hrefs = page.evaluate("""() => { const e = window.egoGraph.edges().filter(e => e.data('evidence').length > 1)[0];
        e.emit('tap'); return e.data('evidence').map(x => x.href); }""")
    links = page.locator(".ego-popup a")
    expect(links).to_have_count(len(hrefs))
    assert [links.nth(i).get_attribute("href") for i in range(len(hrefs))] == hrefs
    links.nth(1).click()
    page.wait_for_url(re.compile(re.escape(hrefs[1]) + "$"))
    assert page.evaluate("document.querySelector(':target').id") == hrefs[1].split("#", 1)[1]

    # a real click on a neighbour's circle opens its page
    page.goto(server + "/person/bagirov")
    page.wait_for_function("window.egoGraph && window.egoGraph.nodes().length > 1")
    # scrolled first, and cytoscape told so: it keeps where its box is on the page and would map the
    # click by the place before the scroll until its own scroll handler ran
    page.locator("#ego-graph").scroll_into_view_if_needed()
    page.evaluate("""() => new Promise(done => { window.egoGraph.resize();
        requestAnimationFrame(() => requestAnimationFrame(done)); })""")
    node = page.evaluate("""() => { const n = window.egoGraph.nodes('[!ego]').max(n => n.data('weight')).ele;
        const p = n.renderedPosition(); return {x: p.x, y: p.y, href: n.data('href')}; }""")
    box = page.locator("#ego-graph").bounding_box()
    page.mouse.click(box["x"] + node["x"], box["y"] + node["y"])
    page.wait_for_url(re.compile(re.escape(node["href"]) + "$"))
    page.close()


XSS_TEXT = """Telegram from Tabriz, 12 December 1945.

General Derakhshani reported to Qavam that <script>alert(1)</script> in Tabriz.
Pishevari sent a message to Qavam: "><img src=x onerror=alert(1)> and more.
Later Derakhshani reported to Qavam that "><img src=x onerror=alert(2)> again.
"""


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss")
    (folder / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    run_archivekg("build", str(folder / "xss.txt"), "--store", str(folder / "store"))
    proc, url = start_server(folder / "store")
    yield url
    stop_server(proc)


def test_markup_in_evidence_stays_text(browser, xss_server):
    data = ego_json(xss_server, "person/qavam")
    texts = [ev["text"] for e in data["edges"] for ev in e["evidence"]]
    assert any("<script>alert(1)</script>" in t for t in texts) and any('"><img src=x' in t for t in texts)
    dialogs: list = []
    page = open_network(browser, xss_server + "/person/qavam", dialogs)
    table = page.locator("table.ego-edges")
    expect(table).to_contain_text("<script>alert(1)</script>")
    expect(table).to_contain_text('"><img src=x onerror=alert(1)>')
    assert page.evaluate("""() => document.querySelectorAll('img[src=x]').length === 0 && ![...document.scripts]
        .some(s => s.type !== 'application/json' && s.textContent.includes('alert('))""")
    labels = page.evaluate("window.egoGraph.nodes().map(n => n.data('label'))")
    assert set(labels) == {n["label"] for n in data["nodes"]}
    # the evidence list of an edge with two sentences shows them as text
    page.evaluate("window.egoGraph.edges().filter(e => e.data('evidence').length > 1)[0].emit('tap')")
    popup = page.locator(".ego-popup")
    expect(popup).to_contain_text('"><img src=x onerror=alert(2)>')
    expect(popup).to_contain_text("<script>alert(1)</script>")
    assert page.evaluate("document.querySelectorAll('.ego-popup img, .ego-popup script').length") == 0
    popup.locator("a").first.click()
    page.wait_for_url(re.compile(r"/doc/.+#s-\d+-\d+$"))
    expect(page.locator(".doctext")).to_contain_text("<script>alert(1)</script>")
    page.wait_for_timeout(300)
    assert dialogs == []
    page.close()
