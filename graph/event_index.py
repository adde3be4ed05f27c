"""The timeline's events, in the index beside the store (graph.search_index writes them with the names).

The timeline orders every event by date and counts them by type, month, place and participant. In SPARQL
that is a scan of every event for each view: at 26,000 events, 2.5 s for a page and 3 s for its counts.
Here an event is one row (its date, its file graph) and each of its links one row of `event_link`, so a
view is a few indexed SQL lookups. The index holds what the store holds, graph by graph: the rows of
a changed file graph are replaced by the build that changed it.
"""
from __future__ import annotations

import sqlite3

from pyoxigraph import NamedNode, Store

from graph.iris import AKG, iri_list, sparql_prefixes

# the links a view filters or counts by: the event's class, the document reporting it, its participants
LINKS = ("type", "reportedIn", "agent", "recipient", "patient", "place", "origin", "destination")

EVENT_SCHEMA = """
-- date: the event's earliest date as written at its precision ("1945-11-17", "1945-11", "1945"), or NULL
CREATE TABLE event(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, graph TEXT NOT NULL, date TEXT);
CREATE INDEX event_order ON event(date IS NULL, date, iri);
CREATE INDEX event_graph ON event(graph);
-- link: one of LINKS ("type" for rdf:type); value: the IRI linked to
CREATE TABLE event_link(event INTEGER NOT NULL REFERENCES event, link TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX event_link_value ON event_link(value, link, event);
CREATE INDEX event_link_event ON event_link(event, link, value);
"""


def index_events(db: sqlite3.Connection, store: Store, graphs: set[str] | None) -> None:
    """Index the events of these file graphs (None: every graph). An event is what a document reports
    (akg:reportedIn) and is not a role statement, as on the timeline."""
    if graphs == set():
        return
    where = "" if graphs is None else f"VALUES ?g {{ {iri_list(graphs)} }}"
    ids: dict[str, int] = {}
    for row in store.query(sparql_prefixes() + f"""SELECT ?g ?ev (MIN(STR(?date)) AS ?d) WHERE {{ {where}
            GRAPH ?g {{ ?ev akg:reportedIn ?doc FILTER NOT EXISTS {{ ?ev a akg:RoleStatement }}
            OPTIONAL {{ ?ev akg:date ?date }} }} }} GROUP BY ?g ?ev ORDER BY ?ev"""):
        ids[row["ev"].value] = db.execute("INSERT INTO event(iri, graph, date) VALUES (?, ?, ?)", (
            row["ev"].value, row["g"].value, row["d"].value if row["d"] else None)).lastrowid
    links = " ".join(f"akg:{name}" for name in LINKS if name != "type")
    rows = store.query(sparql_prefixes() + f"""SELECT DISTINCT ?ev ?link ?x WHERE {{ {where} GRAPH ?g {{
            ?ev akg:reportedIn [] . {{ VALUES ?link {{ {links} }} ?ev ?link ?x }} UNION {{ ?ev a ?x BIND(rdf:type AS ?link) }}
            }} }}""")
    db.executemany("INSERT INTO event_link VALUES (?, ?, ?)", (
        (ids[r["ev"].value], _link_name(r["link"].value), r["x"].value) for r in rows
        if r["ev"].value in ids and isinstance(r["x"], NamedNode)))


def _link_name(iri: str) -> str:
    return "type" if iri.endswith("#type") else iri.removeprefix(AKG)


def drop_events(db: sqlite3.Connection, graphs: set[str]) -> None:
    """Forget the events of these file graphs."""
    for graph in graphs:
        db.execute("DELETE FROM event_link WHERE event IN (SELECT id FROM event WHERE graph = ?)", (graph,))
        db.execute("DELETE FROM event WHERE graph = ?", (graph,))
