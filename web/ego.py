"""Ego networks: who an entity is linked to, each link with the sentences that say so.

The links are relation shortcuts (akg:reportedTo, akg:disarmed ...), each with the statements it was
read from and their evidence, and roles (akg:heldRole); the build finds them per file graph and keeps
them in the index beside the store (graph.page_index says how), so a hub's network is indexed lookups.
Links between the same two entities under the same relation are one edge with a count.
"""
from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import quote

from flask import Response, abort, request

from graph.iris import AKG, iri_list
from graph.page_index import HELD_ROLE
from web.queries import ENTITY_TYPES, Pages, val

EVIDENCE_SHOWN = 20  # evidence links listed per edge; the count says how many there are
TEXT_CHARS = 240  # evidence sentences are cut to this for labels and tables
COLOURS = {"Person": "#1f5f8b", "Organization": "#b5651d", "Place": "#2e7d4f", "Group": "#7b4f9d", "Entity": "#6b7780"}


def _links(pages: Pages, subjects: set[str] | None, objects: set[str] | None) -> list[dict]:
    """The links (graph.page_index) from any of `subjects` to any of `objects` (None: any): each shortcut
    with the statements behind it and their evidence, and each role. A role is one link whatever graphs
    say it. In a fixed order, so a role written two ways ("Prime Minister", "prime minister") is shown
    the same way on every page."""
    where, params = [], []
    for column, iris in (("s", subjects), ("o", objects)):
        if iris is not None:  # one parameter, a JSON list, however many IRIs
            where.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(iris)))
    with pages.index() as db:
        if db is None:
            return []
        rows = db.execute(f"""SELECT DISTINCT s, p, o, CASE WHEN p = ? THEN NULL ELSE graph END, ev, name, sent
            FROM link WHERE {" AND ".join(where)} ORDER BY s, p, o, name, ev, sent""", [HELD_ROLE, *params]).fetchall()
    return [dict(zip(("s", "p", "o", "g", "ev", "name", "sent"), row)) for row in rows]


def _edges(pages: Pages, ends: list[tuple[set[str] | None, set[str] | None]]) -> dict[tuple, dict]:
    """The links for each of `ends` (subjects, objects) grouped into edges keyed (source, relation key,
    target). The texts of the evidence are read afterwards for the sentences shown only: a hub has thousands."""
    edges: dict[tuple, dict] = {}
    for r in (r for subjects, objects in ends for r in _links(pages, subjects, objects)):
        s, p, o, name = r["s"], r["p"], r["o"], r["name"]
        key = (s, name.casefold() if p == HELD_ROLE and name else p, o)
        e = edges.setdefault(key, {"source": s, "target": o, "predicate": p, "role": name if p == HELD_ROLE else None,
                                   "statements": set(), "graphs": set(), "evidence": {}})
        if r["ev"] is not None:
            e["statements"].add(r["ev"])
        if r["g"] is not None:
            e["graphs"].add(r["g"])
        if r["sent"] is not None:
            e["evidence"][r["sent"]] = None
    shown = {}
    for e in edges.values():
        firsts = sorted(((pages.href(sent), sent) for sent in e["evidence"]), key=_reading_order)[:EVIDENCE_SHOWN]
        e["evidence"] = dict(firsts)
        shown.update((sent, "") for _, sent in firsts)
    if shown:
        for r in pages.q(f"SELECT ?x ?text WHERE {{ VALUES ?x {{ {iri_list(shown)} }} ?x rdf:value ?text }}"):
            text = " ".join(r["text"].value.split())
            shown[r["x"].value] = text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS - 1] + "…"
    for e in edges.values():
        e["evidence"] = {href: shown[sent] for href, sent in e["evidence"].items()}
    return edges


def _fold_implied(pages: Pages, edges: dict[tuple, dict]) -> None:
    """Drop an edge that a narrower relation between the same pair already says, from the same
    statements: "reported to" is a kind of "sent a message to" (rdfs:subPropertyOf in the ontology),
    and a telegram gives both shortcuts."""
    predicates = {e["predicate"] for e in edges.values()}
    if not predicates:
        return
    narrower = defaultdict(set)
    for r in pages.q(f"SELECT ?sub ?sup WHERE {{ VALUES ?sub {{ {iri_list(predicates)} }} ?sub rdfs:subPropertyOf+ ?sup }}"):
        narrower[r["sup"].value].add(r["sub"].value)
    for key, e in list(edges.items()):
        s, _, o = key
        if any((n := edges.get((s, sub, o))) and e["statements"] <= n["statements"]
               for sub in narrower[e["predicate"]]):
            del edges[key]


def _reading_order(item: tuple[str, str]) -> tuple:
    """/doc/d#s-120-180 sorts by document, then by offset as a number (not as text)."""
    doc, _, anchor = item[0].partition("#")
    return doc, [int(x) if x.isdigit() else x for x in anchor.split("-")]


def linked(pages: Pages, iris: set[str]) -> set[str]:
    """Every entity a relation or a role links to one of these, either way: the entities whose ego
    networks can show a link between two of them."""
    if not iris:
        return set()
    return {r["o"] for r in _links(pages, iris, None)} | {r["s"] for r in _links(pages, None, iris)}


def ego_network(pages: Pages, iri: str, limit: int = 60) -> dict:
    """The entity, its relations and roles either way, its neighbours (the `limit` most connected)
    and the links among them, as {nodes, edges, shown, hidden} for the page, the table and JSON."""
    ego = _edges(pages, [({iri}, None), (None, {iri})])
    weight: dict[str, int] = defaultdict(int)
    for (s, _, o), e in ego.items():
        weight[o if s == iri else s] += max(len(e["statements"]), 1)
    weight.pop(iri, None)
    ranked = sorted(weight, key=lambda n: (-weight[n], n))
    kept = set(ranked[:limit])
    edges = {k: e for k, e in ego.items() if {k[0], k[2]} <= kept | {iri}}
    if len(kept) > 1:
        edges.update(_edges(pages, [(kept, kept)]))

    _fold_implied(pages, edges)
    nodes, predicates = kept | {iri}, {e["predicate"] for e in edges.values()}
    info: dict[str, dict] = {}
    for r in pages.q(f"""SELECT ?x ?l ?t WHERE {{ VALUES ?x {{ {iri_list(nodes | predicates)} }}
          OPTIONAL {{ ?x rdfs:label ?l }}
          OPTIONAL {{ ?x a ?t VALUES ?t {{ {" ".join(f"akg:{t}" for t in ENTITY_TYPES.values())} }} }} }}"""):
        i = info.setdefault(r["x"].value, {"label": None, "type": None})
        i["label"] = i["label"] or val(r["l"])
        i["type"] = i["type"] or (r["t"].value[len(AKG):] if r["t"] is not None else None)

    def label(x: str) -> str:
        return (info.get(x) or {}).get("label") or pages.local(x) or x

    node_list = [{"id": n, "label": label(n), "type": (info.get(n) or {}).get("type") or "Entity",
                  "href": pages.href(n), "ego": n == iri, "weight": weight.get(n) or sum(weight.values())}
                 for n in [iri, *[x for x in ranked if x in kept]]]
    edge_list = [{"source": e["source"], "target": e["target"],
                  "relation": e["role"] or label(e["predicate"]),
                  "kind": "role" if e["predicate"] == HELD_ROLE else "relation",
                  "count": max(len(e["statements"]), len(e["graphs"]), 1),
                  "evidence": [{"href": h, "text": t} for h, t in e["evidence"].items()]}  # in reading order, cut (_edges)
                 for e in edges.values()]
    order = {n["id"]: i for i, n in enumerate(node_list)}
    edge_list.sort(key=lambda e: (iri not in (e["source"], e["target"]), order[e["source"]], order[e["target"]],
                                  e["relation"].casefold()))
    return {"id": iri, "label": label(iri), "type": node_list[0]["type"], "nodes": node_list, "edges": edge_list,
            "shown": len(kept), "hidden": len(ranked) - len(kept), "colours": COLOURS}


def register_ego(app, pages: Pages) -> None:
    """GET /ego/person/bagirov.json: the ego network as JSON (?limit= neighbours, at most 500)."""

    def ego_json(path: str):
        iri = pages.iri(quote(path, safe="/-_.~"))
        if path.split("/", 1)[0] not in ENTITY_TYPES or not pages.exists(iri):
            abort(404)
        limit = min(max(request.args.get("limit", 60, type=int), 1), 500)
        body = json.dumps(ego_network(pages, iri, limit), ensure_ascii=False, indent=1)
        return Response(body, mimetype="application/json", headers={"Access-Control-Allow-Origin": "*"})

    app.add_url_rule("/ego/<path:path>.json", "ego_json", ego_json)
