"""The timeline: every event by date, with its type, participants, place and evidence, filtered by links.

Filters are query parameters (`type`, `from`, `to`, `place`, `who`, `page`), so every view is a plain
link that works without scripts. Dates are compared as written at their precision: "1945-11" (a
month) is inside a November filter, "1945" (a year) is not, and neither is drawn as a day.
"""
from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

from pyoxigraph import NamedNode

from graph.iris import AKG, iri_list
from graph.page_index import ACTOR_PROPS, PLACE_PROPS, ROLE_PROPS
from web.queries import Pages, short, sparql_string, val

PAGE = 100
ISO_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Filters:
    type: str | None = None  # the event class's local name: "Disarmament"
    start: str | None = None  # ISO prefix: "1945", "1945-11", "1945-11-17"
    end: str | None = None
    place: str | None = None  # an entity's local path: "place/sarab"
    who: str | None = None  # any participant's local path: "person/derakhshani", "group/iranian-gendarmes"
    doc: str | None = None  # the reporting document's local path: "doc/000-9af72bc09fc97839"
    page: int = 0
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "Filters":
        f = cls(type=args.get("type") or None, place=args.get("place") or None, who=args.get("who") or None,
                doc=args.get("doc") or None, page=max(0, args.get("page", 0, type=int)))
        for name in ("from", "to"):
            value = (args.get(name) or "").strip()
            if value and not ISO_PREFIX.match(value):
                f.problems.append(f"{name}={value!r} is not a date (write 1945, 1945-11 or 1945-11-17)")
            elif value:
                setattr(f, "start" if name == "from" else "end", value)
        if f.type and not re.fullmatch(r"[A-Za-z]+", f.type):
            f.problems.append(f"type={f.type!r} is not an event type")
            f.type = None
        return f

    def params(self, **change) -> str:
        """The query string of these filters with some changed ('' or None drops one); a page only if asked."""
        values = {"type": self.type, "from": self.start, "to": self.end, "place": self.place, "who": self.who,
                  "doc": self.doc}
        values.update(change)
        if not values.get("page"):
            values.pop("page", None)
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def active(self) -> bool:
        return any((self.type, self.start, self.end, self.place, self.who, self.doc))


def shown_date(iso: str | None) -> str:
    """A date at its precision: '17 Nov 1945', 'November 1945', '1945'."""
    if not iso:
        return "undated"
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            return date(*map(int, parts)).strftime("%-d %b %Y")
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1).strftime("%B %Y")
    except ValueError:
        return iso
    return iso


class Timeline:
    """Events for the timeline page and the entity pages. Which events a view shows, in what order, and
    its counts come from the index beside the store (graph.page_index); the page's events are then read
    from the store, in three queries whatever the page size."""

    def __init__(self, pages: Pages):
        self.pages = pages

    def _matching(self, f: Filters) -> tuple[str, list]:
        """SQL selecting the ids of the events a view shows, and its parameters."""
        sql, params = ["SELECT id FROM event WHERE 1"], []

        def linked(links: list[str], value: str) -> None:
            sql.append(f"AND id IN (SELECT event FROM event_link WHERE value = ? AND link IN ({', '.join('?' * len(links))}))")
            params.extend([value, *links])
        if f.who:
            linked(ACTOR_PROPS, self.pages.iri(_path(f.who)))
        if f.place:
            linked(PLACE_PROPS, self.pages.iri(_path(f.place)))
        if f.type:
            linked(["type"], AKG + f.type)
        if f.doc:
            linked(["reportedIn"], self.pages.iri(_path(f.doc)))
        if f.start:
            sql.append("AND date >= ?")
            params.append(f.start)
        if f.end:
            sql.append("AND date <= ?")
            params.append(f.end + "~")  # "1945-11" ends after every day of November 1945
        return " ".join(sql), params

    def events(self, f: Filters, limit: int = PAGE) -> tuple[list[dict], bool]:
        """One page of events in date order (undated last), and whether there are more: the page is chosen
        from the index, then its events' details are read from the store for that page alone."""
        with self.pages.index() as db:
            if db is None:
                return [], False
            matching, params = self._matching(f)
            page = db.execute(f"SELECT iri, date FROM event WHERE id IN ({matching}) ORDER BY date IS NULL, date, iri "
                              "LIMIT ? OFFSET ?", [*params, limit + 1, f.page * limit]).fetchall()
        more, page = len(page) > limit, page[:limit]
        if not page:
            return [], False
        values = iri_list(iri for iri, _ in page)
        details = {r["ev"].value: r for r in self.pages.q(f"""SELECT ?ev (SAMPLE(?type) AS ?t) (SAMPLE(?doc) AS ?document)
              (SAMPLE(?p) AS ?precision) (SAMPLE(?s) AS ?sent) (SAMPLE(?st) AS ?stext) (SAMPLE(?tr) AS ?trigger) WHERE {{
              VALUES ?ev {{ {values} }} ?ev a ?type ; akg:reportedIn ?doc .
              OPTIONAL {{ ?ev akg:datePrecision ?p }} OPTIONAL {{ ?ev akg:trigger ?tr }}
              OPTIONAL {{ ?ev akg:evidence ?s . ?s rdf:value ?st }} }} GROUP BY ?ev""")}
        rows = [(iri, day, details[iri]) for iri, day in page if iri in details]
        roles = " ".join(f"akg:{p}" for p in ROLE_PROPS)
        parts = list(self.pages.q(f"""SELECT ?ev ?role ?x WHERE {{ VALUES ?ev {{ {values} }}
              {{ VALUES ?role {{ {roles} }} ?ev ?role ?x }} UNION {{ ?ev akg:agentAsWritten ?x BIND(akg:agent AS ?role) }} }}"""))
        labels = self.pages.labels({r["x"].value for r in parts if isinstance(r["x"], NamedNode)} | {r["role"].value for r in parts}
                                   | {d["t"].value for _, _, d in rows if d["t"]} | {d["document"].value for _, _, d in rows})
        by_event = defaultdict(list)
        for r in parts:  # a participant named only as written ("we", "the Minister") is shown as written
            who = self.pages.link(r["x"].value, labels) if isinstance(r["x"], NamedNode) else {"label": r["x"].value}
            by_event[r["ev"].value].append({**who, "role": labels.get(r["role"].value, short(r["role"].value))})
        out = []
        for iri, day, d in rows:
            participants = by_event[iri]
            out.append({
                "href": self.pages.href(iri), "type": labels.get(val(d["t"]), short(val(d["t"]) or "")),
                "type_id": val(d["t"]).rsplit("#", 1)[-1] if d["t"] else None,
                "date": day, "shown_date": shown_date(day), "precision": val(d["precision"]),
                "trigger": val(d["trigger"]), "evidence": val(d["stext"]),
                "evidence_href": self.pages.href(d["sent"].value) if d["sent"] else None,
                "doc": self.pages.link(d["document"].value, labels),
                "places": [p for p in participants if p["role"] in PLACE_PROPS],
                "actors": [p for p in participants if p["role"] not in PLACE_PROPS]})
        return out, more

    def facets(self, f: Filters) -> dict:
        """Counts behind the filter links, each over the view without its own filter: by type, by month,
        and the busiest places and participants."""
        def by_link(db: sqlite3.Connection, links: list[str], without: tuple[str, ...], limit: int = -1) -> list:
            matching, params = self._matching(_without(f, *without))
            return db.execute(f"""SELECT value, COUNT(DISTINCT event) AS n FROM event_link
                WHERE link IN ({', '.join('?' * len(links))}) AND event IN ({matching})
                GROUP BY value ORDER BY n DESC, value LIMIT ?""", [*links, *params, limit]).fetchall()
        with self.pages.index() as db:
            if db is None:
                return {"types": [], "months": [], "places": [], "who": []}
            types = by_link(db, ["type"], ("type",))
            matching, params = self._matching(_without(f, "start", "end"))
            months = db.execute(f"""SELECT substr(date, 1, 7) AS m, COUNT(*) FROM event WHERE id IN ({matching})
                AND length(date) >= 7 GROUP BY m ORDER BY m""", params).fetchall()
            places = by_link(db, ["place"], ("place",), 15)
            who = by_link(db, ACTOR_PROPS, ("who",), 15)
        labels = self.pages.labels({t for t, _ in types} | {x for x, _ in places + who})
        return {
            "types": [{"id": t.rsplit("#", 1)[-1], "label": labels.get(t, short(t)), "n": n} for t, n in types],
            "months": [{"id": m, "label": shown_date(m), "n": n} for m, n in months],
            "places": [{**self.pages.link(x, labels), "id": self.pages.local(x), "n": n} for x, n in places],
            "who": [{**self.pages.link(x, labels), "id": self.pages.local(x), "n": n} for x, n in who]}

    def _where(self, f: Filters) -> str:
        """The events a view shows as a SPARQL pattern, for "open in SPARQL" (`_matching` selects the same
        in the index). The entity a view is about comes first, so Oxigraph starts from its few events; a
        role statement (it has akg:place and akg:reportedIn too) is never an event."""
        clauses = []
        if f.who:
            roles = "|".join(f"akg:{p}" for p in ACTOR_PROPS)
            clauses.append(f"?ev {roles} <{self.pages.iri(_path(f.who))}> .")
        if f.place:
            places = "|".join(f"akg:{p}" for p in PLACE_PROPS)
            clauses.append(f"?ev {places} <{self.pages.iri(_path(f.place))}> .")
        if f.type:
            clauses.append(f"?ev a akg:{f.type} .")  # letters only: checked in Filters.from_args
        clauses.append(f"?ev akg:reportedIn {f'<{self.pages.iri(_path(f.doc))}>' if f.doc else '?doc'} .")
        clauses.append("FILTER NOT EXISTS { ?ev a akg:RoleStatement }")
        clauses.append("OPTIONAL { ?ev akg:date ?date }")
        if f.start:
            clauses.append(f"FILTER(BOUND(?date) && STR(?date) >= {sparql_string(f.start)})")
        if f.end:
            clauses.append(f"FILTER(BOUND(?date) && STR(?date) <= {sparql_string(f.end + '~')})")
        return "\n".join(clauses)

    def query_text(self, f: Filters) -> str:
        """The SPARQL behind a timeline view, for "open in SPARQL"."""
        return f"""SELECT ?ev ?type ?date ?doc WHERE {{
  {self._where(f).replace(chr(10), chr(10) + '  ')}
  ?ev a ?type ; akg:reportedIn ?doc .
}} ORDER BY ?date ?ev LIMIT {PAGE}"""


def _path(local: str) -> str:
    """An entity path as given in a link, kept to the characters IRIs of ours have."""
    return re.sub(r"[^A-Za-z0-9/_.~%-]", "", local)


def _without(f: Filters, *names: str) -> Filters:
    """The same view with some filters dropped (for the counts behind a facet's links)."""
    return replace(f, page=0, problems=[], **{n: None for n in names})
