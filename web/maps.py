"""Maps drawn as inline SVG on the server: deployments may have no internet (no tiles, no CDN, no JS).

A plain equirectangular projection (x scaled by cos of the middle latitude so shapes are not
squashed), land, lakes and today's borders from Natural Earth (web/geodata.py made them) where the
map lies inside that data's region, a labelled graticule, and one linked dot per place. Every text
from the data is escaped.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from pathlib import Path

from markupsafe import Markup

WIDTH = 900
FONT = 13  # label size in SVG units; char width is estimated for label collision checks
CHAR = 0.58 * FONT
WATER_FONT = 12
REGION = Path(__file__).parent / "static" / "vendor" / "natural-earth" / "region.json"
MIN_STEP = 1.0  # px: points of a coast closer than this to the last one drawn add nothing at this scale
# Presentation attributes, so the map reads the same saved on its own; the page's CSS may override them.
STYLE = {
    "water": 'fill="#dce8f1"',
    "land": 'fill="#f6f3ec" stroke="#93aabb" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd"',
    "lake": 'fill="#dce8f1" stroke="#93aabb" stroke-width="0.7" stroke-linejoin="round" fill-rule="evenodd"',
    "border": 'fill="none" stroke="#b3a48f" stroke-width="0.9" stroke-dasharray="5 3" stroke-linejoin="round"',
    "label": f'fill="#4d7190" font-style="italic" font-size="{WATER_FONT}" letter-spacing="0.5" text-anchor="middle"',
}


def coord(lat, lon) -> tuple[float, float] | None:
    """(lat, lon) as floats, or None when missing, unparsable or off the globe."""
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (-90 <= la <= 90 and -180 <= lo <= 180) or math.isnan(la) or math.isnan(lo):
        return None
    return la, lo


def degrees(lat, lon) -> str:
    """38.08° N, 46.29° E; the raw values if they are not numbers."""
    c = coord(lat, lon)
    if c is None:
        return f"{lat}, {lon}"
    la, lo = c
    return f"{abs(la):g}° {'N' if la >= 0 else 'S'}, {abs(lo):g}° {'E' if lo >= 0 else 'W'}"


def _tick(v: float, pos: str, neg: str) -> str:
    return "0°" if v == 0 else f"{abs(v):g}°{pos if v > 0 else neg}"


class Frame:
    """The projection fitted to a set of points, with a margin and a minimum extent of ±min_half degrees."""

    def __init__(self, coords, width=WIDTH, aspect=(0.45, 1.0), min_half=3.0):
        lats, lons = [c[0] for c in coords], [c[1] for c in coords]
        self.clat, self.clon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
        half_lat = max((max(lats) - min(lats)) / 2 * 1.12 + 0.4, min_half)
        half_lon = max((max(lons) - min(lons)) / 2 * 1.12 + 0.4, min_half)
        self.kx = max(math.cos(math.radians(self.clat)), 0.2)
        natural = half_lat / (half_lon * self.kx)
        self.w = width
        self.h = round(width * min(max(natural, aspect[0]), aspect[1]))
        self.scale = min(self.w / (2 * half_lon * self.kx), self.h / (2 * half_lat))
        self.half_lon, self.half_lat = self.w / (2 * self.scale * self.kx), self.h / (2 * self.scale)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (self.w / 2 + (lon - self.clon) * self.scale * self.kx, self.h / 2 - (lat - self.clat) * self.scale)

    def inside(self, lat: float, lon: float) -> bool:
        return abs(lat - self.clat) <= self.half_lat and abs(lon - self.clon) <= self.half_lon

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        return (self.clon - self.half_lon, self.clat - self.half_lat, self.clon + self.half_lon, self.clat + self.half_lat)

    def path(self, lines, closed: bool) -> str:
        """SVG path data for (lon, lat) rings or lines, cut to the frame (with a margin, so no cut edge
        shows) and thinned to MIN_STEP pixels."""
        w, s, e, n = self.bounds()
        m = 0.02 * (e - w)
        box = (w - m, s - m, e + m, n + m)
        pieces = []
        for line in lines:
            x0, y0, x1, y1 = line.box
            if not (x1 < box[0] or x0 > box[2] or y1 < box[1] or y0 > box[3]):
                pieces += [clip_ring(line, box)] if closed else crop_line(line, box)
        out = []
        for piece in pieces:
            if len(piece) < 2:
                continue
            pts = [self.xy(lat, lon) for lon, lat in piece]
            kept = [pts[0]]
            for x, y in pts[1:]:
                if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= MIN_STEP:
                    kept.append((x, y))
            xs, ys = [p[0] for p in kept], [p[1] for p in kept]
            if len(kept) >= (3 if closed else 2) and max(max(xs) - min(xs), max(ys) - min(ys)) >= 2 * MIN_STEP:
                out.append("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in kept) + ("Z" if closed else ""))
        return "".join(out)

    def graticule(self) -> list[str]:
        span = 2 * max(self.half_lat, self.half_lon * self.kx)
        step = next((s for s, limit in [(1, 12), (2, 30), (5, 80), (10, 200)] if span <= limit), 30)
        out = ['<g class="graticule">']
        lon = math.ceil((self.clon - self.half_lon) / step) * step
        while lon <= self.clon + self.half_lon:
            x = self.xy(self.clat, lon)[0]
            out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{self.h}"/>')
            if 30 < x < self.w - 36:  # no clipped labels, none under the latitude labels
                out.append(f'<text x="{x + 3:.1f}" y="{self.h - 5}">{_tick(lon, "E", "W")}</text>')
            lon += step
        lat = math.ceil((self.clat - self.half_lat) / step) * step
        while lat <= self.clat + self.half_lat:
            y = self.xy(lat, self.clon)[1]
            out.append(f'<line x1="0" y1="{y:.1f}" x2="{self.w}" y2="{y:.1f}"/>')
            if 16 < y < self.h - 20:
                out.append(f'<text x="4" y="{y - 4:.1f}">{_tick(lat, "N", "S")}</text>')
            lat += step
        out.append("</g>")
        return out


def clip_ring(pts: list, box: tuple) -> list:
    """Sutherland-Hodgman: the ring cut to the box (west, south, east, north), filling the same area
    inside it; its edges along the box lie outside any map drawn within the box."""
    x0, y0, x1, y1 = box
    for inside, cut in [(lambda p: p[0] >= x0, lambda a, b: _at_x(a, b, x0)), (lambda p: p[0] <= x1, lambda a, b: _at_x(a, b, x1)),
                        (lambda p: p[1] >= y0, lambda a, b: _at_y(a, b, y0)), (lambda p: p[1] <= y1, lambda a, b: _at_y(a, b, y1))]:
        out = []
        for k, b in enumerate(pts):
            a = pts[k - 1]
            if inside(b):
                if not inside(a):
                    out.append(cut(a, b))
                out.append(b)
            elif inside(a):
                out.append(cut(a, b))
        pts = out
    return pts


def _at_x(a, b, x):
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _at_y(a, b, y):
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)


def crop_line(pts: list, box: tuple) -> list[list]:
    """The runs of a line inside the box, each with one point beyond it at either end (drawn, then clipped)."""
    x0, y0, x1, y1 = box
    runs, start = [], None
    for k, ok in enumerate([x0 <= x <= x1 and y0 <= y <= y1 for x, y in pts] + [False]):
        if ok and start is None:
            start = k
        elif not ok and start is not None:
            runs.append(pts[max(start - 1, 0):k + 1])
            start = None
    return runs


class Line(list):
    """(lon, lat) points with their bounding box, so lines outside a frame are skipped unprojected."""

    def __init__(self, points):
        super().__init__(map(tuple, points))
        lons, lats = [p[0] for p in self], [p[1] for p in self]
        self.box = (min(lons), min(lats), max(lons), max(lats))


@lru_cache(maxsize=1)
def region() -> dict:
    """Land rings, named lakes, borders and water labels of the committed Natural Earth extract."""
    data = json.loads(REGION.read_text(encoding="utf-8"))
    return {"bbox": tuple(data["bbox"]), "land": [Line(r) for r in data["land"]],
            "lakes": [(lake["name"], [Line(r) for r in lake["rings"]]) for lake in data["lakes"]],
            "borders": [Line(b) for b in data["borders"]], "labels": data["labels"]}


def geography(frame: Frame) -> tuple[list[str], list[dict]]:
    """SVG paths of land, lakes and borders, and the water labels to place; nothing when the frame
    reaches outside the extract (land would end in a straight edge there)."""
    geo = region()
    w, s, e, n = frame.bounds()
    x0, y0, x1, y1 = geo["bbox"]
    if w < x0 or s < y0 or e > x1 or n > y1:
        return [], []
    d = frame.path(geo["land"], True)
    out = [f'<path class="land" {STYLE["land"]} d="{d}"/>'] if d else []
    unnamed = [r for name, rings in geo["lakes"] if not name for r in rings]
    for name, rings in [(None, unnamed)] + [(name, rings) for name, rings in geo["lakes"] if name]:
        d = frame.path(rings, True)
        if d and name:
            out.append(f'<path class="lake" data-name="{escape(name)}" {STYLE["lake"]} d="{d}"><title>{escape(name)}</title></path>')
        elif d:
            out.append(f'<path class="lake" {STYLE["lake"]} d="{d}"/>')
    d = frame.path(geo["borders"], False)
    if d:
        out.append(f'<path class="border" {STYLE["border"]} d="{d}"><title>Borders of today</title></path>')
    return out, geo["labels"]


def _water_label(frame: Frame, label: dict, taken: list) -> str | None:
    """A lake's or sea's name at the first of its spots that the frame holds, where the water is about
    as wide as the text, and where it covers no place's dot or label."""
    tw = len(label["text"]) * (0.6 * WATER_FONT + 0.5)
    for lon, lat, width in label["spots"]:
        if not frame.inside(lat, lon) or tw > 1.4 * width * frame.scale * frame.kx:
            continue
        x, y = frame.xy(lat, lon)
        box = (x - tw / 2, y - WATER_FONT + 2, x + tw / 2, y + 3)
        if box[0] < 2 or box[2] > frame.w - 2 or box[1] < 2 or box[3] > frame.h - 2 or \
                any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
            continue
        taken.append(box)
        return (f'<text class="water-label" data-kind="{escape(label["kind"])}" x="{x:.1f}" y="{y:.1f}" '
                f'{STYLE["label"]}>{escape(label["text"])}</text>')
    return None


def _place_label(x, y, text, taken, w, h):
    """A spot for the label next to its dot that overlaps no earlier label or dot, else None (hover still works)."""
    tw, th = len(text) * CHAR, FONT
    for tx, ty, anchor, x0 in [(x + 7, y + 4, "start", x + 7), (x - 7, y + 4, "end", x - 7 - tw),
                               (x, y - 8, "middle", x - tw / 2), (x, y + 8 + FONT, "middle", x - tw / 2)]:
        box = (x0, ty - th + 2, x0 + tw, ty + 3)
        if box[0] < 2 or box[2] > w - 2 or box[1] < 2 or box[3] > h - 2:
            continue
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
            continue
        taken.append(box)
        return tx, ty, anchor
    return None


def cluster(points: list[dict], half: float = 8.0) -> list[dict] | None:
    """The points within ±half degrees of the median point, when that leaves outliers out: the detail
    view, since one far-off place (Moscow for an Iranian corpus) squeezes all the others into a corner."""
    if len(points) < 3:
        return None
    mlat = sorted(p["lat"] for p in points)[len(points) // 2]
    mlon = sorted(p["lon"] for p in points)[len(points) // 2]
    near = [p for p in points if abs(p["lat"] - mlat) <= half and abs(p["lon"] - mlon) <= half]
    return near if 2 <= len(near) < len(points) else None


def svg_map(points: list[dict], here: dict | None = None, title: str = "Map of places",
            aspect=(0.45, 0.8)) -> Markup | None:
    """An SVG map of points ({label, href, lat, lon, mentions}); with `here`, a window around that place
    with it highlighted and the other places inside the window drawn faintly. None if nothing to draw."""
    if here is not None:
        frame = Frame([(here["lat"], here["lon"])], aspect=(0.55, 0.6))
        others = [p for p in points if p["href"] != here["href"] and frame.inside(p["lat"], p["lon"])]
        drawn = [dict(p, cls="place faint") for p in others] + [dict(here, cls="place here")]
    else:
        if not points:
            return None
        frame = Frame([(p["lat"], p["lon"]) for p in points], aspect=aspect)
        drawn = [dict(p, cls="place") for p in points]
    for p in drawn:
        p["x"], p["y"] = frame.xy(p["lat"], p["lon"])
    # labels: the highlighted place first, then the most mentioned; dots are obstacles too
    taken = [(p["x"] - 4, p["y"] - 4, p["x"] + 4, p["y"] + 4) for p in drawn]
    for p in sorted(drawn, key=lambda p: ("here" not in p["cls"], -(p.get("mentions") or 0), p["label"])):
        p["text_at"] = _place_label(p["x"], p["y"], p["label"], taken, frame.w, frame.h)
    geo, water = geography(frame)
    water_labels = [t for t in (_water_label(frame, label, taken) for label in water) if t]
    background = f'class="water" {STYLE["water"]}' if geo else 'class="sea"'  # "sea": nothing known there
    out = [f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.w} {frame.h}" '
           f'width="{frame.w}" height="{frame.h}" role="img" aria-label="{escape(title)}">',
           f'<rect {background} width="{frame.w}" height="{frame.h}"/>', *geo, *frame.graticule(), *water_labels]
    for p in drawn:  # faint ones first, the highlighted place last (on top)
        r = 6 if "here" in p["cls"] else 3.5 if "faint" in p["cls"] else 4.5
        hover = escape(f"{p['label']} — {degrees(p['lat'], p['lon'])}")
        out.append(f'<a class="{p["cls"]}" href="{escape(p["href"])}" data-label="{escape(p["label"])}">'
                   f'<circle class="dot" cx="{p["x"]:.1f}" cy="{p["y"]:.1f}" r="{r}"><title>{hover}</title></circle>')
        if p["text_at"]:
            tx, ty, anchor = p["text_at"]
            out.append(f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{escape(p["label"])}</text>')
        out.append("</a>")
    out.append("</svg>")
    return Markup("\n".join(out))
