"""Maps drawn as inline SVG on the server: deployments may have no internet (no tiles, no CDN, no JS).

A plain equirectangular projection (x scaled by cos of the middle latitude so shapes are not
squashed), a labelled graticule, and one linked dot per place. Every text from the data is escaped.
"""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

WIDTH = 900
FONT = 13  # label size in SVG units; char width is estimated for label collision checks
CHAR = 0.58 * FONT


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
    out = [f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.w} {frame.h}" '
           f'width="{frame.w}" height="{frame.h}" role="img" aria-label="{escape(title)}">',
           f'<rect class="sea" width="{frame.w}" height="{frame.h}"/>', *frame.graticule()]
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
