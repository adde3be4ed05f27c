"""Ego networks: who an entity is linked to, each link with the sentences that say so.

A relation shortcut (akg:reportedTo, akg:disarmed ...) has no evidence of its own: it was read from an
event in the same file's graph whose agent is its subject, whose patient or recipient is its object,
and whose type is one the trigger table (extract/triggers.toml) gives that relation. akg:electedTo
comes from an Election whose patient is the subject, akg:commanded from a role statement. A role
(akg:heldRole) links its holder to the role's organization and place, with the role's evidence.
Links between the same two entities under the same relation are one edge with a count.
"""
from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import quote

import pyoxigraph as ox
from flask import Response, abort, request

from extract.triggers import Rules
from graph.iris import AKG, iri_list
from web.queries import ENTITY_TYPES, Pages, val

EVIDENCE_SHOWN = 20  # evidence links listed per edge; the count says how many there are
TEXT_CHARS = 240  # evidence sentences are cut to this for labels and tables
COLOURS = {"Person": "#1f5f8b", "Organization": "#b5651d", "Place": "#2e7d4f", "Group": "#7b4f9d", "Entity": "#6b7780"}


def relation_types() -> dict[str, set[str]]:
    """Event types behind each relation shortcut, from the trigger table. A decree sent as a document
    is an Order that also gives sentMessageTo (extract.events.shortcuts)."""
    out = Rules.load().relation_types()
    out.setdefault("sentMessageTo", set()).add("Order")
    return out


RELATION_TYPES = relation_types()
RELATIONS = [*sorted(RELATION_TYPES), "electedTo", "commanded"]
HELD_ROLE = AKG + "heldRole"


def _links(pages: Pages, ends: str) -> list[dict]:
    """The shortcut triples and roles between ?s and ?o (constrained by `ends`, VALUES clauses), then the
    statements (?ev) behind the shortcuts with their evidence sentences (?sent): two queries, each
    anchored on known terms. One query joining both lets the engine pair every event type with every
    pair of ends first, fifteen times slower on a hub."""
    relations = " ".join(f"akg:{r}" for r in RELATIONS)
    rows = [{k: val(r[k]) for k in ("s", "p", "o", "g", "ev", "name", "sent")} for r in pages.q(f"""
        SELECT DISTINCT ?s ?p ?o ?g ?ev ?name ?sent WHERE {{
          {{ {ends} VALUES ?p {{ {relations} }} GRAPH ?g {{ ?s ?p ?o }} }}
          UNION {{ {ends} ?s akg:heldRole ?ev . ?ev akg:organization|akg:place ?o ; akg:roleName ?name ;
                   akg:evidence ?sent . ?sent rdf:value ?text . BIND(akg:heldRole AS ?p) }} }}""")]
    shortcuts = {(r["s"], r["o"], r["g"]) for r in rows if r["p"] != HELD_ROLE}
    if not shortcuts:
        return rows
    said: dict[tuple, list[tuple[str, str, str]]] = defaultdict(list)  # (s, o, g) -> (kind, ev, sent)
    for r in pages.q(f"""SELECT DISTINCT ?s ?o ?g ?kind ?ev ?sent WHERE {{
          VALUES (?s ?o ?g) {{ {" ".join(f"(<{a}> <{b}> <{c}>)" for a, b, c in sorted(shortcuts))} }}
          GRAPH ?g {{ {{ ?ev akg:agent ?s ; akg:patient|akg:recipient ?o ; a ?kind }}
                     UNION {{ ?ev a akg:Election ; akg:patient ?s BIND("electedTo" AS ?kind) }}
                     UNION {{ ?ev akg:holder ?s ; akg:commandsGroup ?o BIND("commanded" AS ?kind) }}
                     ?ev akg:evidence ?sent . ?sent rdf:value ?text }} }}"""):
        kind = r["kind"].value.removeprefix(AKG)
        said[(r["s"].value, r["o"].value, r["g"].value)].append((kind, r["ev"].value, r["sent"].value))
    out = [r for r in rows if r["p"] == HELD_ROLE]
    for r in rows:
        if r["p"] == HELD_ROLE:
            continue
        relation = r["p"].removeprefix(AKG)
        kinds = RELATION_TYPES.get(relation, {relation})  # electedTo and commanded name their own kind
        out.append(r)  # the shortcut itself, which counts even where no statement says it
        out.extend({**r, "ev": ev, "sent": sent} for kind, ev, sent in said[(r["s"], r["o"], r["g"])] if kind in kinds)
    return out


def _edges(pages: Pages, ends: list[str]) -> dict[tuple, dict]:
    """The links between ?s and ?o for each of `ends` grouped into edges keyed (source, relation key,
    target). The texts of the evidence are read afterwards for the sentences shown only: a hub has thousands."""
    edges: dict[tuple, dict] = {}
    for r in (r for e in ends for r in _links(pages, e)):
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
    ends = f"VALUES ?t {{ {iri_list(iris)} }}"
    rows = pages.q(f"""SELECT DISTINCT ?x WHERE {{
          {{ {ends} VALUES ?p {{ {" ".join(f"akg:{r}" for r in RELATIONS)} }} {{ ?t ?p ?x }} UNION {{ ?x ?p ?t }} }}
          UNION {{ {ends} {{ ?t akg:heldRole ?r . ?r akg:organization|akg:place ?x }}
                  UNION {{ ?x akg:heldRole ?r . ?r akg:organization|akg:place ?t }} }} }}""")
    return {r["x"].value for r in rows if isinstance(r["x"], ox.NamedNode)}


def ego_network(pages: Pages, iri: str, limit: int = 60) -> dict:
    """The entity, its relations and roles either way, its neighbours (the `limit` most connected)
    and the links among them, as {nodes, edges, shown, hidden} for the page, the table and JSON."""
    ego = _edges(pages, [f"VALUES ?s {{ <{iri}> }}", f"VALUES ?o {{ <{iri}> }}"])
    weight: dict[str, int] = defaultdict(int)
    for (s, _, o), e in ego.items():
        weight[o if s == iri else s] += max(len(e["statements"]), 1)
    weight.pop(iri, None)
    ranked = sorted(weight, key=lambda n: (-weight[n], n))
    kept = set(ranked[:limit])
    edges = {k: e for k, e in ego.items() if {k[0], k[2]} <= kept | {iri}}
    if len(kept) > 1:
        ends = f"VALUES ?s {{ {iri_list(kept)} }} VALUES ?o {{ {iri_list(kept)} }}"
        edges.update(_edges(pages, [ends]))

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
