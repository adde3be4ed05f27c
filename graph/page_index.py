"""What the timeline and the entity pages count over, in the index beside the store (graph.search_index
writes these tables with the names and sentences).

The timeline orders every event by date and counts them by type, month, place and participant; an entity
page counts its mentions by document and by name, and the entities named in the same sentences, and draws
its ego network from the relations and roles that link it. In SPARQL each is a scan of every event or of
every mention or link of the entity: at 26,000 events, 2.5 s for a timeline page and 3 s for its counts;
for a hub of 3,000 mentions, a second or two. Here an event is one row (its date, its file graph) with a
row per link, a mention one row (its entity, document, sentence and name), and a link one row per
statement and evidence behind it, so each is an indexed SQL lookup. The index holds what the store
holds, graph by graph: the rows of a changed file graph are replaced by the build that changed it.
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict

from pyoxigraph import NamedNode, Store

from extract.triggers import Rules
from graph.iris import AKG, iri_list, sparql_prefixes

# an event's participants (the timeline's "who") and places, as akg: properties
ACTOR_PROPS = ["agent", "recipient", "patient"]
PLACE_PROPS = ["place", "origin", "destination"]
ROLE_PROPS = ACTOR_PROPS + PLACE_PROPS
# the links a timeline view filters or counts by: the event's class, the document reporting it, its participants
LINKS = ("type", "reportedIn", *ROLE_PROPS)

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
-- the links of the ego networks: a relation shortcut (p, with ev NULL), each statement behind it (ev) with
-- its evidence (sent), and each role (p = akg:heldRole, ev the role statement, name the role's name)
CREATE TABLE link(graph TEXT NOT NULL, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL, ev TEXT, name TEXT,
                  sent TEXT);
CREATE INDEX link_s ON link(s, o);
CREATE INDEX link_o ON link(o, s);
CREATE INDEX link_graph ON link(graph);
"""


def relation_types() -> dict[str, set[str]]:
    """Event types behind each relation shortcut, from the trigger table. A decree sent as a document
    is an Order that also gives sentMessageTo (extract.events.shortcuts)."""
    out = Rules.load().relation_types()
    out.setdefault("sentMessageTo", set()).add("Order")
    return out


RELATION_TYPES = relation_types()
RELATIONS = [*sorted(RELATION_TYPES), "electedTo", "commanded"]
HELD_ROLE = AKG + "heldRole"
STATEMENTS_AT_ONCE = 2000  # shortcuts whose statements one query looks up


def index_pages(db: sqlite3.Connection, store: Store, graphs: set[str] | None) -> None:
    """Index the events, mentions and links of these file graphs (None: every graph)."""
    if graphs == set():
        return
    where = "" if graphs is None else f"VALUES ?g {{ {iri_list(graphs)} }}"
    _events(db, store, where)
    _links(db, store, where)
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


def _links(db: sqlite3.Connection, store: Store, where: str) -> None:
    """A relation shortcut (akg:reportedTo, akg:disarmed ...) has no evidence of its own: it was read from
    an event in the same file's graph whose agent is its subject, whose patient or recipient is its
    object, and whose type is one the trigger table gives that relation. akg:electedTo comes from an
    Election whose patient is the subject, akg:commanded from a role statement. A role (akg:heldRole)
    links its holder to the role's organization and place, with the role's evidence."""
    relations = " ".join(f"akg:{r}" for r in RELATIONS)
    shortcuts = sorted({(r["s"].value, r["p"].value, r["o"].value, r["g"].value) for r in store.query(
        sparql_prefixes() + f"SELECT ?s ?p ?o ?g WHERE {{ {where} VALUES ?p {{ {relations} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        if isinstance(r["o"], NamedNode)})
    db.executemany("INSERT INTO link VALUES (?, ?, ?, ?, NULL, NULL, NULL)", [(g, s, p, o) for s, p, o, g in shortcuts])
    said: dict[tuple, list[tuple[str, str, str]]] = defaultdict(list)  # (s, o, g) -> (kind, ev, sent)
    ends = sorted({(s, o, g) for s, _, o, g in shortcuts})
    for at in range(0, len(ends), STATEMENTS_AT_ONCE):
        for r in store.query(sparql_prefixes() + f"""SELECT DISTINCT ?s ?o ?g ?kind ?ev ?sent WHERE {{
              VALUES (?s ?o ?g) {{ {" ".join(f"(<{a}> <{b}> <{c}>)" for a, b, c in ends[at:at + STATEMENTS_AT_ONCE])} }}
              GRAPH ?g {{ {{ ?ev akg:agent ?s ; akg:patient|akg:recipient ?o ; a ?kind }}
                         UNION {{ ?ev a akg:Election ; akg:patient ?s BIND("electedTo" AS ?kind) }}
                         UNION {{ ?ev akg:holder ?s ; akg:commandsGroup ?o BIND("commanded" AS ?kind) }}
                         ?ev akg:evidence ?sent . ?sent rdf:value ?text }} }}"""):
            said[(r["s"].value, r["o"].value, r["g"].value)].append((r["kind"].value.removeprefix(AKG), r["ev"].value,
                                                                      r["sent"].value))
    db.executemany("INSERT INTO link VALUES (?, ?, ?, ?, ?, NULL, ?)", [
        (g, s, p, o, ev, sent) for s, p, o, g in shortcuts for kind, ev, sent in said[(s, o, g)]
        if kind in RELATION_TYPES.get(p.removeprefix(AKG), {p.removeprefix(AKG)})])  # electedTo, commanded: their own kind
    db.executemany("INSERT INTO link VALUES (?, ?, ?, ?, ?, ?, ?)", sorted({
        (r["g"].value, r["s"].value, HELD_ROLE, r["o"].value, r["ev"].value, r["name"].value, r["sent"].value)
        for r in store.query(sparql_prefixes() + f"""SELECT ?g ?s ?o ?ev ?name ?sent WHERE {{ {where}
              GRAPH ?g {{ ?s akg:heldRole ?ev }} ?ev akg:organization|akg:place ?o ; akg:roleName ?name ;
              akg:evidence ?sent . ?sent rdf:value ?text }}""", use_default_graph_as_union=True)
        if isinstance(r["o"], NamedNode)}))


def _value(term) -> str | None:
    return None if term is None else term.value


def drop_pages(db: sqlite3.Connection, graphs: set[str]) -> None:
    """Forget the events, mentions and links of these file graphs."""
    for graph in graphs:
        db.execute("DELETE FROM event_link WHERE event IN (SELECT id FROM event WHERE graph = ?)", (graph,))
        db.execute("DELETE FROM event WHERE graph = ?", (graph,))
        db.execute("DELETE FROM mention WHERE graph = ?", (graph,))
        db.execute("DELETE FROM link WHERE graph = ?", (graph,))
