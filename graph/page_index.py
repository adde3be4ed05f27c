"""What the timeline and the entity pages count over, in the index beside the store (graph.search_index
writes these tables with the names and sentences).

The timeline orders every event by date and counts them by type, month, place and participant; an entity
page counts its mentions by document and by name, and the entities named in the same sentences. In SPARQL
each is a scan of every event or of every mention of the entity: at 26,000 events, 2.5 s for a timeline
page and 3 s for its counts; for a hub of 3,000 mentions, a second. Here an event is one row (its date,
its file graph) with a row per link, and a mention one row (its entity, document, sentence and name), so
each count is an indexed SQL lookup. The index holds what the store holds, graph by graph: the rows of a
changed file graph are replaced by the build that changed it.
"""
from __future__ import annotations

import sqlite3

from pyoxigraph import NamedNode, Store

from graph.iris import AKG, iri_list, sparql_prefixes

# the links a timeline view filters or counts by: the event's class, the document reporting it, its participants
LINKS = ("type", "reportedIn", "agent", "recipient", "patient", "place", "origin", "destination")

PAGE_SCHEMA = """
-- date: the event's earliest date as written at its precision ("1945-11-17", "1945-11", "1945"), or NULL
CREATE TABLE event(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, graph TEXT NOT NULL, date TEXT);
CREATE INDEX event_order ON event(date IS NULL, date, iri);
CREATE INDEX event_graph ON event(graph);
-- link: one of LINKS ("type" for rdf:type); value: the IRI linked to
CREATE TABLE event_link(event INTEGER NOT NULL REFERENCES event, link TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX event_link_value ON event_link(value, link, event);
CREATE INDEX event_link_event ON event_link(event, link, value);
-- every mention of an entity (oa:hasBody), in its document and sentence, under the name as written
CREATE TABLE mention(iri TEXT NOT NULL, graph TEXT NOT NULL, entity TEXT NOT NULL, doc TEXT NOT NULL,
                     sentence TEXT, name TEXT);
CREATE INDEX mention_entity ON mention(entity, doc);
CREATE INDEX mention_sentence ON mention(sentence, entity);
CREATE INDEX mention_graph ON mention(graph);
"""


def index_pages(db: sqlite3.Connection, store: Store, graphs: set[str] | None) -> None:
    """Index the events and mentions of these file graphs (None: every graph)."""
    if graphs == set():
        return
    where = "" if graphs is None else f"VALUES ?g {{ {iri_list(graphs)} }}"
    _events(db, store, where)
    db.executemany("INSERT INTO mention VALUES (?, ?, ?, ?, ?, ?)", (
        (r["m"].value, r["g"].value, r["e"].value, r["doc"].value, _value(r["sent"]), _value(r["name"]))
        for r in store.query(sparql_prefixes() + f"""SELECT ?g ?m ?e ?doc ?sent ?name WHERE {{ {where} GRAPH ?g {{
            ?m oa:hasBody ?e ; akg:document ?doc OPTIONAL {{ ?m akg:sentence ?sent }}
            OPTIONAL {{ ?m akg:nameAsWritten ?name }} }} }}""")))


def _events(db: sqlite3.Connection, store: Store, where: str) -> None:
    """An event is what a document reports (akg:reportedIn) and is not a role statement."""
    ids: dict[str, int] = {}
    for row in store.query(sparql_prefixes() + f"""SELECT ?g ?ev (MIN(STR(?date)) AS ?d) WHERE {{ {where}
            GRAPH ?g {{ ?ev akg:reportedIn ?doc FILTER NOT EXISTS {{ ?ev a akg:RoleStatement }}
            OPTIONAL {{ ?ev akg:date ?date }} }} }} GROUP BY ?g ?ev ORDER BY ?ev"""):
        ids[row["ev"].value] = db.execute("INSERT INTO event(iri, graph, date) VALUES (?, ?, ?)", (
            row["ev"].value, row["g"].value, _value(row["d"]))).lastrowid
    links = " ".join(f"akg:{name}" for name in LINKS if name != "type")
    rows = store.query(sparql_prefixes() + f"""SELECT DISTINCT ?ev ?link ?x WHERE {{ {where} GRAPH ?g {{
            ?ev akg:reportedIn [] . {{ VALUES ?link {{ {links} }} ?ev ?link ?x }} UNION {{ ?ev a ?x BIND(rdf:type AS ?link) }}
            }} }}""")
    db.executemany("INSERT INTO event_link VALUES (?, ?, ?)", (
        (ids[r["ev"].value], "type" if r["link"].value.endswith("#type") else r["link"].value.removeprefix(AKG),
         r["x"].value) for r in rows if r["ev"].value in ids and isinstance(r["x"], NamedNode)))


def _value(term) -> str | None:
    return None if term is None else term.value


def drop_pages(db: sqlite3.Connection, graphs: set[str]) -> None:
    """Forget the events and mentions of these file graphs."""
    for graph in graphs:
        db.execute("DELETE FROM event_link WHERE event IN (SELECT id FROM event WHERE graph = ?)", (graph,))
        db.execute("DELETE FROM event WHERE graph = ?", (graph,))
        db.execute("DELETE FROM mention WHERE graph = ?", (graph,))
