"""YASGUI on /sparql (vendored, offline) with the plain form as the no-script fallback, and the maps' land,
lakes and borders from Natural Earth: over real HTTP on the seed store, in Debian's Chromium."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from conftest import SCREENSHOTS, select
from web.app import EXAMPLES
from web.maps import REGION, svg_map

from playwright import sync_api
expect = sync_api.expect

SVG = "{http://www.w3.org/2000/svg}"



@pytest.fixture
def page(browser, server):
    """A fresh browser context (no stored YASGUI tabs); fails the test if any request leaves the server."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    requests_made: list[str] = []
    context.on("request", lambda r: requests_made.append(r.url))
    yield page
    context.close()
    origin = urlsplit(server)
    foreign = [u for u in requests_made if urlsplit(u)[:2] != origin[:2]]
    assert requests_made and not foreign, foreign


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()")


def results_chip(page):
    return page.locator(".tabPanel.active .yasr_response_chip")


# ---------------------------------------------------------------------------------------- YASGUI
def test_yasgui_runs_the_first_example(page, server):
    page.goto(server + "/sparql")
    expect(page.locator("#yasgui .CodeMirror")).to_be_visible()
    expect(page.locator("form.sparql")).to_be_hidden()  # the fallback steps aside
    title, query = EXAMPLES[0]
    expect(page.locator(".tabsList .tab.active")).to_contain_text(title)
    text = editor_text(page)
    assert query in text and "PREFIX akg: <https://w3id.org/archivekg/ns#>" in text  # declared, so the editor is content
    assert page.locator(".tabPanel.active .parseErrorIcon").count() == 0
    with page.expect_request(lambda r: r.method == "POST" and r.url == server + "/sparql"):
        page.click(".tabPanel.active .yasqe_queryButton")
    rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator(".tabPanel.active .yasr table.dataTable")).to_contain_text("Joseph Stalin")
    n = len(select(server, query))
    expect(results_chip(page)).to_contain_text(f"{n} results")
    page.screenshot(path=str(SCREENSHOTS / "yasgui.png"), full_page=False)

    # an IRI of the dataset opens its page on this server
    link = page.locator(".tabPanel.active .yasr table.dataTable tbody tr a", has_text="/person/").first
    with page.context.expect_page() as opened:
        link.click()
    entity = opened.value
    entity.wait_for_load_state()
    assert entity.url.startswith(server + "/person/")
    expect(entity.locator("h1")).to_be_visible()


def test_example_picker_opens_a_tab_and_runs_it(page, server):
    page.goto(server + "/sparql")
    title, query = EXAMPLES[-1]
    page.locator("#yasgui-examples button", has_text=title).click()
    expect(page.locator(".tabsList .tab.active")).to_contain_text(title)
    assert query in editor_text(page)
    expect(results_chip(page)).to_contain_text(f"{len(select(server, query))} results")
    assert page.locator(".tabsList .tab").count() == 2  # the first example's tab, and this one


def test_prefix_completion_knows_our_prefixes(page, server):
    page.goto(server + "/sparql")
    page.click("button.addTab")
    page.locator(".tabPanel.active .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT ?p ?lat WHERE { ?p geo:lat ?lat }")
    # our geo: (WGS84), not the GeoSPARQL namespace YASGUI's own list has under that name
    assert editor_text(page).startswith("PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\nSELECT")
    page.click(".tabPanel.active .yasqe_queryButton")
    n = len(select(server, "SELECT ?p ?lat WHERE { ?p geo:lat ?lat }"))
    assert n > 10
    expect(results_chip(page)).to_contain_text(f"{n} results")


def test_query_link_opens_in_yasgui(page, server):
    """/sparql?query=...&format=html (the plain form's result link) opens and runs in a YASGUI tab."""
    query = "SELECT ?label WHERE { ?p a akg:Place ; rdfs:label ?label }"
    page.goto(server + "/sparql?" + urlencode({"query": query, "format": "html"}))
    expect(results_chip(page)).to_contain_text(f"{len(select(server, query))} results")
    assert query in editor_text(page)
    expect(page.locator(".tabPanel.active .yasr table.dataTable")).to_contain_text("Tabriz")


def test_plain_form_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(server + "/sparql")
    expect(page.locator("#yasgui-panel")).to_be_hidden()
    page.fill("#query", "SELECT ?p ?label WHERE { ?p a akg:Person ; rdfs:label ?label } ORDER BY ?label")
    page.click("form.sparql button[type=submit]")
    expect(page.locator("table.results")).to_contain_text("Stalin")
    expect(page.locator("form.sparql")).to_be_visible()
    context.close()


# ---------------------------------------------------------------------------------------- maps
def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r'<svg class="map".*?</svg>', page, re.S)]


def path_box(path: ET.Element) -> tuple[float, float, float, float]:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
    xs, ys = nums[0::2], nums[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def dot(svg: ET.Element, label: str) -> tuple[float, float]:
    c = svg.find(f"{SVG}a[@data-label='{label}']/{SVG}circle")
    return float(c.get("cx")), float(c.get("cy"))


def lake(svg: ET.Element, name: str) -> ET.Element:
    [p] = [p for p in svg.iter(SVG + "path") if p.get("class") == "lake" and p.get("data-name") == name]
    return p


def test_map_draws_land_lakes_and_borders(server):
    overview, detail = svgs(requests.get(server + "/map", timeout=10).text)[:2]
    classes = {p.get("class") for p in overview.iter(SVG + "path")}
    assert {"land", "lake", "border"} <= classes
    assert overview.find(SVG + "rect").get("class") == "water"  # the background is sea where land is drawn
    caspian = lake(overview, "Caspian Sea")
    assert caspian.findtext(SVG + "title") == "Caspian Sea"
    labels = [t.text for t in overview.iter(SVG + "text") if t.get("class") == "water-label"]
    assert "Caspian Sea" in labels
    # the same projection as the places: Baku lies on the Caspian's west shore, Tehran south of it
    x0, y0, x1, y1 = path_box(caspian)
    bx, by = dot(overview, "Baku")
    assert x0 - 2 <= bx <= (x0 + x1) / 2 and y0 < by < y1
    assert dot(overview, "Tehran")[1] > y1
    # the detail map is close enough for Lake Urmia, between Salmas (west) and Tabriz (east)
    u0, v0, u1, v1 = path_box(lake(detail, "Lake Urmia"))
    assert dot(detail, "Salmas")[0] < u0 < u1 < dot(detail, "Tabriz")[0]
    assert v0 < dot(detail, "Urmia")[1] < v1


def test_place_page_map_has_geography(server):
    rows = select(server, 'SELECT ?p WHERE { ?p a akg:Place ; rdfs:label "Baku" }')
    base = select(server, "SELECT ?b WHERE { ?d a void:Dataset ; void:uriSpace ?b }")[0]["b"]
    [svg] = svgs(requests.get(server + "/" + rows[0]["p"][len(base):], timeout=10).text)
    caspian = lake(svg, "Caspian Sea")
    x0, _, x1, _ = path_box(caspian)
    assert x0 <= dot(svg, "Baku")[0] <= x1
    assert "Caspian Sea" in [t.text for t in svg.iter(SVG + "text") if t.get("class") == "water-label"]


def test_no_geography_outside_the_region():
    """Beyond the extract's box land would end in a straight edge: such a map keeps only the graticule."""
    points = [{"label": "Washington", "href": "/w", "lat": 38.9, "lon": -77.0, "mentions": 1},
              {"label": "Tabriz", "href": "/t", "lat": 38.08, "lon": 46.29, "mentions": 1}]
    svg = ET.fromstring(str(svg_map(points)))
    assert svg.find(SVG + "path") is None and svg.find(SVG + "rect").get("class") == "sea"
    near = ET.fromstring(str(svg_map(points[1:])))
    assert near.find(SVG + "path") is not None


def test_region_extract_is_small():
    assert REGION.stat().st_size < 400_000


def test_caspian_visible_in_chromium(page, server):
    page.goto(server + "/map")
    caspian = page.locator('#overview path.lake[data-name="Caspian Sea"]')
    expect(caspian).to_be_visible()
    box = caspian.bounding_box()
    assert box["width"] > 40 and box["height"] > 100, box
    expect(page.locator("#overview text.water-label", has_text="Caspian Sea")).to_be_visible()
    fill = caspian.evaluate("e => getComputedStyle(e).fill")
    land = page.locator("#overview path.land").evaluate("e => getComputedStyle(e).fill")
    assert fill != land  # water and land differ on screen
    page.locator("#overview").screenshot(path=str(SCREENSHOTS / "map.png"))
