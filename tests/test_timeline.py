"""The timeline (/events) and the entity pages that carry a large graph: over HTTP on the real seeds store,
and in real Chromium."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import requests
from playwright.sync_api import expect

from conftest import SCREENSHOTS, select



def events_on(html: str) -> list[str]:
    return re.findall(r'<li class="ev".*?</li>', html, re.S)


def test_november_1945_shows_the_sarab_disarmament(server):
    page = requests.get(server + "/events", params={"from": "1945-11", "to": "1945-11"}, timeout=30).text
    rows = events_on(page)
    sarab = [r for r in rows if "/place/sarab" in r and "disarm" in r.lower()]
    assert sarab, "the Sarab disarmament is on the November 1945 timeline"
    assert "17 Nov 1945" in sarab[0] and 'class="evidence"' in sarab[0]
    # every event shown is dated in November 1945 at month or day precision, and all of them are shown
    dates = re.findall(r'<span class="when[^"]*" title="known to the (\w+)">([^<]+)</span>', page)
    assert dates and all(("Nov 1945" in d) if p == "day" else d == "November 1945" for p, d in dates)
    expected = select(server, """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e akg:reportedIn ?d ; a ?t ; akg:date ?date .
        ?t rdfs:subClassOf akg:Event FILTER(STRSTARTS(STR(?date), "1945-11")) }""")[0]["n"]
    assert len(rows) == int(expected)


def test_dates_are_shown_at_their_precision(server):
    rows = select(server, """SELECT ?e ?date ?p WHERE { ?e akg:date ?date ; akg:datePrecision ?p ; akg:reportedIn ?d }""")
    by_precision = {r["p"]: r for r in rows}
    assert "day" in by_precision and len(by_precision) >= 2, by_precision.keys()
    for precision, row in by_precision.items():
        year = row["date"][:4]
        page = requests.get(server + "/events", params={"from": year, "to": year}, timeout=30).text
        href = "/" + row["e"].split("/", 3)[3]
        shown = next(r for r in events_on(page) if f'href="{href}"' in r)
        when = re.search(r'<span class="when[^"]*"[^>]*>([^<]+)</span>', shown).group(1)
        if precision == "day":
            assert re.fullmatch(r"\d{1,2} \w{3} \d{4}", when), when
        elif precision == "month":
            assert re.fullmatch(r"[A-Z][a-z]+ \d{4}", when) and "imprecise" in shown, when
        else:
            assert when == year and "imprecise" in shown, when


def test_filters_are_links_that_narrow_the_timeline(server):
    page = requests.get(server + "/events", timeout=30).text
    facets = page.split('<nav class="facets"', 1)[1].split("</nav>", 1)[0]
    links = [unescape(h) for h in re.findall(r'href="\?([^"]+)"', facets)]
    assert any("type=Disarmament" in h for h in links) and any("place=place%2Fsarab" in h or "place=place/sarab" in h
                                                              for h in links)
    for query, check in (("type=Disarmament", lambda r: "disarm" in r.lower()),
                         ("place=place/sarab", lambda r: "/place/sarab" in r),
                         ("who=person/derakhshani", lambda r: "/person/derakhshani" in r)):
        rows = events_on(requests.get(server + "/events?" + query, timeout=30).text)
        assert rows and all(check(r) for r in rows), query
    bad = requests.get(server + "/events", params={"from": "<script>"}, timeout=30)
    assert bad.status_code == 200 and "is not a date" in bad.text and "<script>" not in bad.text


def test_open_in_sparql_runs_the_query_behind_the_view(server):
    page = requests.get(server + "/events", params={"type": "Disarmament"}, timeout=30).text
    href = unescape(re.search(r'<a href="(/sparql\?query=[^"]+)">Open this view in SPARQL', page).group(1))
    query = parse_qs(urlparse(href).query)["query"][0]
    r = requests.get(server + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == len(events_on(page))


def test_a_hub_entity_page_is_grouped_folded_and_paged(server):
    page = requests.get(server + "/person/stalin", timeout=30).text
    docs = int(select(server, """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?m oa:hasBody ?s ; akg:document ?d .
        ?s rdfs:label ?l FILTER(?s = <https://kg.example/person/stalin>) }""")[0]["n"])
    assert docs > 20  # a hub: more documents than one page holds
    groups = re.findall(r"<details( open)?>", page.split('<div class="mention-groups">', 1)[1].split("</div>", 1)[0])
    assert len(groups) == 20 and groups[0] == " open" and all(g == "" for g in groups[1:])
    assert 'href="?mentions=1#mentions"' in page
    later = requests.get(server + "/person/stalin?mentions=1", timeout=30).text
    later_groups = later.split('<div class="mention-groups">', 1)[1].split("</div>", 1)[0]
    assert len(re.findall(r"<details", later_groups)) == docs - 20 and "earlier documents" in later
    incoming = re.search(r'<dd class="incoming">(\d+) statements from (\d+) resources</dd>', page)
    n = select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p <https://kg.example/person/stalin> }")[0]["n"]
    assert incoming and incoming.group(1) == n
    assert "<h2>Timeline" in page and "/events?who=person%2Fstalin" in page
    sparql = unescape(re.search(r'class="open-sparql" href="([^"]+)"', page).group(1))
    assert requests.get(server + sparql, headers={"Accept": "text/csv"}, timeout=30).text.count("\n") > docs


def test_what_the_pages_count_in_the_index_is_what_sparql_counts(server):
    """The timeline's and the entity pages' counts come from the index beside the store (graph.page_index):
    each equals the same count in SPARQL over the store."""
    page = requests.get(server + "/person/stalin", timeout=30).text
    assert "no index of this version" not in page
    names = dict(re.findall(r'<span class="name-as-written">([^<]+)</span> <span class="muted">×(\d+)</span>', page))
    counted = select(server, """SELECT ?name (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m oa:hasBody <https://kg.example/person/stalin> ;
            akg:nameAsWritten ?name } GROUP BY ?name""")
    assert names == {r["name"]: r["n"] for r in counted} and len(names) >= 2
    related = re.findall(r'<li><a href="(/[a-z]+/[^"]+)">[^<]+</a> <span class="muted">×(\d+)</span></li>',
                         page.split('<ul class="related">', 1)[1].split("</ul>", 1)[0])
    assert len(related) >= 5
    for href, n in related[:5]:
        assert select(server, f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?m oa:hasBody <https://kg.example/person/stalin> ;
            akg:sentence ?s . ?m2 akg:sentence ?s ; oa:hasBody <https://kg.example{href}> }}""")[0]["n"] == n, href
    timeline = requests.get(server + "/events", params={"who": "person/stalin"}, timeout=30).text
    types = dict(re.findall(r'href="\?type=(\w+)&amp;who=person%2Fstalin"[^>]*>[^<]+ <span class="muted">(\d+)</span>', timeline))
    expected = {r["t"].rsplit("#", 1)[1]: r["n"] for r in select(server, """SELECT ?t (COUNT(DISTINCT ?ev) AS ?n) WHERE {
        ?ev akg:agent|akg:recipient|akg:patient <https://kg.example/person/stalin> ; akg:reportedIn ?d ; a ?t
        FILTER NOT EXISTS { ?ev a akg:RoleStatement } } GROUP BY ?t""")}
    assert types == expected and len(types) >= 2


def test_browser_timeline_filtered_to_november_1945(browser, server):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server + "/events")
    page.locator("nav.facets a", has_text="November 1945").first.click()
    page.wait_for_url(re.compile(r"from=1945-11"))
    sarab = page.locator("li.ev", has=page.locator('a[href="/place/sarab"]')).filter(has_text="disarm")
    expect(sarab.first).to_be_visible()
    expect(sarab.first.locator(".when")).to_have_text("17 Nov 1945")
    page.screenshot(path=str(SCREENSHOTS / "timeline.png"), full_page=False)
    sarab.first.locator("blockquote.evidence a").click()
    page.wait_for_url(re.compile(r"/doc/.+#s-"))
    assert "Sarab" in page.locator(":target").inner_text()
    page.close()
