"""Offline maps: inline SVG on place pages and /map, and /map.geojson, over real HTTP on the seed store."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
import requests

from web.maps import svg_map
from conftest import select

SVG = "{http://www.w3.org/2000/svg}"



def svgs(page: str) -> list[ET.Element]:
    """Every inline map on a page, parsed as XML: it must be well-formed, so data cannot inject markup."""
    return [ET.fromstring(s) for s in re.findall(r'<svg class="map".*?</svg>', page, re.S)]


def dots(svg: ET.Element) -> dict[str, dict]:
    """Label -> the dot's link, centre, classes and hover title."""
    out = {}
    for a in svg.iter(SVG + "a"):
        c = a.find(SVG + "circle")
        out[a.get("data-label")] = {"href": a.get("href"), "x": float(c.get("cx")), "y": float(c.get("cy")),
                                    "cls": a.get("class").split(), "title": c.findtext(SVG + "title")}
    return out


@pytest.fixture(scope="module")
def base(server) -> str:
    return select(server, "SELECT ?b WHERE { ?d a void:Dataset ; void:uriSpace ?b }")[0]["b"]


def place_path(server, base, label: str) -> str:
    rows = select(server, f'SELECT ?p WHERE {{ ?p a akg:Place ; rdfs:label "{label}" }}')
    assert len(rows) == 1, rows
    return "/" + rows[0]["p"][len(base):]


def test_place_page_has_map(server, base):
    path = place_path(server, base, "Tabriz")
    page = requests.get(server + path, timeout=10).text
    [svg] = svgs(page)
    assert svg.get("role") == "img" and "Tabriz" in svg.get("aria-label")
    ds = dots(svg)
    here = ds["Tabriz"]
    assert "here" in here["cls"] and here["href"] == path
    assert "Tabriz" in here["title"] and "38.08" in here["title"]
    others = [d for label, d in ds.items() if label != "Tabriz"]
    assert others and all("faint" in d["cls"] for d in others)  # the corpus's other places, for context
    # the coordinates, in degrees
    coords = re.search(r'<dd class="coords">\s*([\d.]+)° N, ([\d.]+)° E', page)
    assert coords and abs(float(coords.group(1)) - 38.08) < 0.01 and abs(float(coords.group(2)) - 46.29) < 0.01
    geonames = select(server, f"SELECT ?g WHERE {{ <{base}{path[1:]}> akg:geonamesId ?g }}")
    if geonames:
        assert f'href="https://www.geonames.org/{geonames[0]["g"]}"' in page


def test_place_without_coordinates_has_no_map(server, base):
    rows = select(server, """SELECT ?p WHERE { ?p a akg:Place FILTER NOT EXISTS { ?p geo:lat ?lat } }
                             ORDER BY ?p LIMIT 1""")
    assert rows, "the seeds should have a place without coordinates"
    r = requests.get(server + "/" + rows[0]["p"][len(base):], timeout=10)
    assert r.status_code == 200
    assert "<svg" not in r.text and 'class="map"' not in r.text and "Coordinates" not in r.text


def test_map_page(server, base):
    r = requests.get(server + "/map", timeout=10)
    assert r.status_code == 200
    overview = svgs(r.text)[0]
    ds = dots(overview)
    for label in ["Tabriz", "Baku", "Moscow", "Tehran"]:
        assert label in ds and ds[label]["href"] == place_path(server, base, label)
    assert ds["Baku"]["x"] > ds["Tabriz"]["x"]  # east
    assert ds["Moscow"]["y"] < ds["Baku"]["y"]  # north
    assert ds["Tehran"]["y"] > ds["Tabriz"]["y"] and ds["Tehran"]["x"] > ds["Tabriz"]["x"]  # south-east
    located = select(server, "SELECT DISTINCT ?p WHERE { ?p a akg:Place ; geo:lat ?lat ; geo:long ?lon }")
    assert len(ds) == len(located)
    # the table lists every place, those without coordinates with a dash
    places = select(server, "SELECT ?p ?l WHERE { ?p a akg:Place ; rdfs:label ?l }")
    table = r.text.split("<table", 1)[1]
    for p in places:
        assert f'href="/{p["p"][len(base):]}">{html.escape(p["l"])}</a>' in table
    assert table.count("—") == len(places) - len(located)
    assert re.search(r'<td class="nowrap">38\.08° N, 46\.29° E</td>', table)


def test_map_links(server):
    assert '<a href="/map">Map</a>' in requests.get(server + "/", timeout=10).text
    assert 'href="/map"' in requests.get(server + "/place/", timeout=10).text


def test_geojson(server, base):
    r = requests.get(server + "/map.geojson", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/geo+json")
    data = r.json()
    assert data["type"] == "FeatureCollection"
    by_label = {f["properties"]["label"]: f for f in data["features"]}
    located = select(server, "SELECT DISTINCT ?p WHERE { ?p a akg:Place ; geo:lat ?lat ; geo:long ?lon }")
    assert len(data["features"]) == len(located)
    for f in data["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert f["properties"]["iri"].startswith(base) and isinstance(f["properties"]["mentions"], int)
    assert by_label["Tabriz"]["geometry"]["coordinates"] == pytest.approx([46.29, 38.08], abs=0.01)  # [lon, lat]
    assert by_label["Moscow"]["geometry"]["coordinates"][1] > 55


def test_map_escapes_labels():
    """Labels come from documents: they must never become markup inside the SVG."""
    evil = '<script>alert(1)</script> & "Tabriz"'
    points = [{"label": evil, "href": '/place/x"onmouseover="alert(1)', "lat": 38.08, "lon": 46.29, "mentions": 3},
              {"label": "Baku", "href": "/place/baku", "lat": 40.38, "lon": 49.89, "mentions": 1}]
    for out in [svg_map(points, title=evil), svg_map(points[1:], here=points[0], title=evil)]:
        assert "<script" not in out and 'x"onmouseover' not in out
        assert "&lt;script&gt;" in out
        svg = ET.fromstring(str(out))
        assert dots(svg)[evil]["href"] == points[0]["href"]
        assert svg.get("aria-label") == evil


def test_single_point_keeps_context():
    """One place alone still gets a window of about ±3 degrees, with a graticule."""
    svg = ET.fromstring(str(svg_map([{"label": "A", "href": "/a", "lat": 10.0, "lon": 20.0, "mentions": 0}])))
    ticks = [t.text for t in svg.find(SVG + "g").iter(SVG + "text")]
    assert "10°N" in ticks and "20°E" in ticks and len(ticks) >= 6
