"""The timeline: every event by date, with its type, participants, place and evidence, filtered by links.

Filters are query parameters (`type`, `from`, `to`, `place`, `who`, `page`), so every view is a plain
link that works without scripts. Dates are compared as written at their precision: "1945-11" (a
month) is inside a November filter, "1945" (a year) is not, and neither is drawn as a day.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

from pyoxigraph import NamedNode

from graph.iris import iri_list
from web.queries import ACTOR_PROPS, PLACE_PROPS, ROLE_PROPS, Pages, short, sparql_string, val

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
    """Events for the timeline page and the entity pages, from three queries whatever the page size."""

    def __init__(self, pages: Pages):
        self.pages = pages

    def _where(self, f: Filters) -> str:
        """The pattern of the events a view shows. The entity a view is about comes first, so Oxigraph starts
        from its few events; a role statement (it has akg:place and akg:reportedIn too) is never an event."""
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

    def events(self, f: Filters, limit: int = PAGE) -> tuple[list[dict], bool]:
        """One page of events in date order (undated last), and whether there are more: the page is chosen
        first from the bare pattern, then its events' details are read for that page alone."""
        page = list(self.pages.q(f"""SELECT ?ev (MIN(STR(?date)) AS ?d) WHERE {{ {self._where(f)} }}
              GROUP BY ?ev ORDER BY (!BOUND(?d)) ?d ?ev LIMIT {limit + 1} OFFSET {f.page * limit}"""))
        more, page = len(page) > limit, page[:limit]
        if not page:
            return [], False
        values = iri_list(r["ev"].value for r in page)
        details = {r["ev"].value: r for r in self.pages.q(f"""SELECT ?ev (SAMPLE(?type) AS ?t) (SAMPLE(?doc) AS ?document)
              (SAMPLE(?p) AS ?precision) (SAMPLE(?s) AS ?sent) (SAMPLE(?st) AS ?stext) (SAMPLE(?tr) AS ?trigger) WHERE {{
              VALUES ?ev {{ {values} }} ?ev a ?type ; akg:reportedIn ?doc .
              OPTIONAL {{ ?ev akg:datePrecision ?p }} OPTIONAL {{ ?ev akg:trigger ?tr }}
              OPTIONAL {{ ?ev akg:evidence ?s . ?s rdf:value ?st }} }} GROUP BY ?ev""")}
        rows = [{**{k: details[r["ev"].value][k] for k in ("t", "document", "precision", "sent", "stext", "trigger")},
                 "ev": r["ev"], "d": r["d"]} for r in page if r["ev"].value in details]
        roles = " ".join(f"akg:{p}" for p in ROLE_PROPS)
        parts = list(self.pages.q(f"""SELECT ?ev ?role ?x WHERE {{ VALUES ?ev {{ {values} }}
              {{ VALUES ?role {{ {roles} }} ?ev ?role ?x }} UNION {{ ?ev akg:agentAsWritten ?x BIND(akg:agent AS ?role) }} }}"""))
        labels = self.pages.labels({r["x"].value for r in parts if isinstance(r["x"], NamedNode)} | {r["role"].value for r in parts}
                                   | {r["t"].value for r in rows if r["t"]} | {r["document"].value for r in rows})
        by_event = defaultdict(list)
        for r in parts:  # a participant named only as written ("we", "the Minister") is shown as written
            who = self.pages.link(r["x"].value, labels) if isinstance(r["x"], NamedNode) else {"label": r["x"].value}
            by_event[r["ev"].value].append({**who, "role": labels.get(r["role"].value, short(r["role"].value))})
        out = []
        for r in rows:
            participants = by_event[r["ev"].value]
            out.append({
                "href": self.pages.href(r["ev"].value), "type": labels.get(val(r["t"]), short(val(r["t"]) or "")),
                "type_id": val(r["t"]).rsplit("#", 1)[-1] if r["t"] else None,
                "date": val(r["d"]), "shown_date": shown_date(val(r["d"])), "precision": val(r["precision"]),
                "trigger": val(r["trigger"]), "evidence": val(r["stext"]),
                "evidence_href": self.pages.href(r["sent"].value) if r["sent"] else None,
                "doc": self.pages.link(r["document"].value, labels),
                "places": [p for p in participants if p["role"] in PLACE_PROPS],
                "actors": [p for p in participants if p["role"] not in PLACE_PROPS]})
        return out, more

    def facets(self, f: Filters) -> dict:
        """Counts behind the filter links: by type (other filters kept), by month, and the busiest places
        and participants."""
        types = self.pages.q(f"""SELECT ?type (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ {self._where(_without(f, 'type'))}
              ?ev a ?type }} GROUP BY ?type ORDER BY DESC(?n)""")
        months = self.pages.q(f"""SELECT ?m (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ {self._where(_without(f, 'start', 'end'))}
              FILTER(BOUND(?date) && STRLEN(STR(?date)) >= 7) BIND(SUBSTR(STR(?date), 1, 7) AS ?m) }} GROUP BY ?m ORDER BY ?m""")
        places = list(self.pages.q(f"""SELECT ?x (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ {self._where(_without(f, 'place'))}
              ?ev akg:place ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT 15"""))
        roles = "|".join(f"akg:{p}" for p in ACTOR_PROPS)
        who = list(self.pages.q(f"""SELECT ?x (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ {self._where(_without(f, 'who'))}
              ?ev {roles} ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT 15"""))
        types = list(types)
        labels = self.pages.labels({r["type"].value for r in types} | {r["x"].value for r in places + who})
        return {
            "types": [{"id": r["type"].value.rsplit("#", 1)[-1], "label": labels.get(r["type"].value, short(r["type"].value)),
                       "n": int(r["n"].value)} for r in types],
            "months": [{"id": r["m"].value, "label": shown_date(r["m"].value), "n": int(r["n"].value)} for r in months],
            "places": [{**self.pages.link(r["x"].value, labels), "id": self.pages.local(r["x"].value), "n": int(r["n"].value)}
                       for r in places],
            "who": [{**self.pages.link(r["x"].value, labels), "id": self.pages.local(r["x"].value), "n": int(r["n"].value)}
                    for r in who]}

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
