"""Reconciliation Service API 0.2 (what OpenRefine speaks) over the corpus's canonical entities.

Entity ids are local paths under the dataset base ("person/pishevari"), so the manifest's view URL
is this server's entity page; types and properties are prefixed names ("akg:Person", "akg:heldRole";
full IRIs are accepted too). Names are matched typo-tolerantly over every name as written, folded
and romanized the way the resolver in `extract.names` compares them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, Flask, Response, current_app, has_request_context, jsonify, request
from markupsafe import Markup
from pyoxigraph import Literal, NamedNode, Store
from rapidfuzz import fuzz

from extract.names import MIN_SKELETON, fold, name_key, skeleton, transliterated
from graph.iris import AKG, PREFIXES, Minter, iri_list
from web.queries import Pages, short

TYPES = ["Person", "Place", "Organization", "Group"]
DEFAULT_LIMIT, MAX_LIMIT = 5, 100
MIN_SCORE = 50           # candidates scoring less are noise, not returned
NAME_FLOOR = 40          # names below this are not candidates, whatever their properties say
MATCH_SCORE, MATCH_MARGIN = 90, 10  # match: true needs this score and this lead over the runner-up
SAME_TRANSLITERATION = 97  # 'Pishevary' ~ 'Pishevari', 'Molotoff' ~ 'Molotov'
SAME_SKELETON = 93         # same consonants, vowels drift: 'Pishavari' ~ 'Pishevari', 'Bageroff' ~ 'Bagirov'
PART = 0.85                # the query is some of a name's words ('Pishavari' in 'Jafar Pishavari'), or the reverse
NAME_WEIGHT = 2            # the name counts as much as two property constraints in a candidate's score
NAME_PROPS = "rdfs:label|skos:altLabel|skos:prefLabel|akg:roleName|dcterms:title"  # what a linked node is called
LABEL_PROPS = "rdfs:label|akg:roleName|dcterms:title"
INTEGER = {"integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"}
FLOAT = {"decimal", "double", "float"}

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")


class QueryError(ValueError):
    """A malformed request: answered 400 with a JSON message."""


# ------------------------------------------------------------ names and how alike they are
def words(text: str) -> str:
    """Folded words: romanized, lower case, no accents or punctuation ('Ja'far' -> 'jafar')."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def key(name: str) -> str:
    """A name as compared: its words without a leading title ('General Derakhshani' -> 'derakhshani')."""
    return name_key(name) or words(name)


@lru_cache(maxsize=65536)
def _forms(k: str) -> tuple[str, str]:
    """A key's transliteration-normalized spelling and its consonant skeleton (from extract.names)."""
    return " ".join(transliterated(t) for t in k.split()), skeleton(k)


def _whole(a: str, b: str) -> float:
    if a == b:
        return 100.0
    (ta, sa), (tb, sb) = _forms(a), _forms(b)
    score = fuzz.ratio(a, b)
    if ta == tb:
        score = max(score, SAME_TRANSLITERATION)
    elif sa == sb and len(sa.replace(" ", "")) >= MIN_SKELETON:
        score = max(score, SAME_SKELETON)
    return float(max(score, fuzz.ratio(ta, tb) - (100 - SAME_TRANSLITERATION)))


def similarity(a: str, b: str) -> float:
    """0-100 for two keys: the whole names, or the shorter against each run of as many words in the longer."""
    best = _whole(a, b)
    short_, long_ = sorted((a.split(), b.split()), key=len)
    n = len(short_)
    if 0 < n < len(long_):
        part = max(_whole(" ".join(short_), " ".join(long_[i:i + n])) for i in range(len(long_) - n + 1))
        best = max(best, PART * part)
    return best


# ------------------------------------------------------------ the index and the service
@dataclass
class Entity:
    iri: str
    id: str
    type: str
    label: str
    description: str | None
    mentions: int
    keys: set[str]
    names: set[str]

    def card(self) -> dict:
        out = {"id": self.id, "name": self.label, "type": [type_ref(self.type)]}
        if self.description:
            out["description"] = self.description
        return out


def type_ref(name: str) -> dict:
    return {"id": f"akg:{name}", "name": name}


def expand(curie: str) -> str:
    """'akg:heldRole', a full IRI, or a bare akg name -> the IRI (validated by pyoxigraph)."""
    prefix, _, local = curie.partition(":")
    iri = curie if "://" in curie else PREFIXES[prefix] + local if prefix in PREFIXES and local else AKG + curie
    try:
        return NamedNode(iri).value
    except ValueError as err:
        raise QueryError(f"not an IRI or prefixed name: {curie!r}") from err


class Reconciler:
    """The name index (built once: the store is read-only) and the queries behind each endpoint."""

    def __init__(self, store: Store):
        self.pages = Pages(store)
        self.entities = self._index()
        self.by_iri = {e.iri: e for e in self.entities}
        self.properties = self._property_catalogue()

    def _index(self) -> list[Entity]:
        corpus = Minter(self.pages.base).corpus_graph()
        rows = self.pages.q(f"""SELECT ?e ?t ?label ?name ?desc ?mc WHERE {{ GRAPH {corpus} {{
              VALUES ?t {{ {" ".join(f"akg:{t}" for t in TYPES)} }} ?e a ?t ; rdfs:label ?label .
              {{ ?e rdfs:label ?name }} UNION {{ ?e skos:altLabel ?name }}
              OPTIONAL {{ ?e schema:description ?desc }} OPTIONAL {{ ?e akg:mentionCount ?mc }} }} }}""")
        out: dict[str, Entity] = {}
        for r in rows:
            iri = r["e"].value
            e = out.get(iri) or out.setdefault(iri, Entity(
                iri, self.pages.local(iri) or iri, r["t"].value[len(AKG):], r["label"].value,
                r["desc"].value if r["desc"] else None, int(r["mc"].value) if r["mc"] else 0, set(), set()))
            e.names.add(r["name"].value)
            e.keys.add(key(r["name"].value))
        return sorted(out.values(), key=lambda e: (-e.mentions, e.label))

    def _property_catalogue(self) -> dict[str, dict]:
        """Properties the entities have, by prefixed id: name (the ontology's label) and the types using them."""
        rows = self.pages.q(f"""SELECT ?t ?p (SAMPLE(?l) AS ?label) WHERE {{
              VALUES ?t {{ {" ".join(f"akg:{t}" for t in TYPES)} }} ?e a ?t ; ?p ?o .
              FILTER(?p != rdf:type) OPTIONAL {{ ?p rdfs:label ?l }} }} GROUP BY ?t ?p""")
        out: dict[str, dict] = {}
        for r in rows:
            pid = short(r["p"].value)
            prop = out.setdefault(pid, {"id": pid, "name": r["label"].value if r["label"] else pid, "types": set()})
            prop["types"].add(r["t"].value[len(AKG):])
        return dict(sorted(out.items()))

    # ------------------------------------------------------------ lookups
    def iri_of(self, ident: str) -> str:
        """The IRI behind an id: a local path, a full IRI, or its URL on this server."""
        ident = ident.strip()
        root = request.url_root if has_request_context() else None
        if root and ident.startswith(root):
            ident = ident[len(root):]
        return ident if "://" in ident else self.pages.iri(ident.lstrip("/"))

    def entity(self, ident: str) -> Entity | None:
        return self.by_iri.get(self.iri_of(ident))

    def typed(self, types: list[str]) -> list[Entity]:
        """The entities of any of the types; a type is a hard filter, an unknown type matches nothing."""
        if not types:
            return self.entities
        wanted = {iri[len(AKG):] for iri in map(expand, types) if iri.startswith(AKG)}
        return [e for e in self.entities if e.type in wanted]

    def name_scores(self, text: str, entities: list[Entity]) -> dict[str, float]:
        """Each entity's best similarity over all its names as written."""
        k = key(text)
        return {e.iri: max(similarity(k, n) for n in e.keys) for e in entities} if k else {}

    def values(self, iris: list[str], pid: str) -> dict[str, dict]:
        """Per entity, its values of one property: term -> (display label, every name of it)."""
        if not iris:
            return {}
        rows = self.pages.q(f"""SELECT ?e ?o ?l ?n WHERE {{ VALUES ?e {{ {iri_list(iris)} }}
              ?e <{pid}> ?o . OPTIONAL {{ ?o {LABEL_PROPS} ?l }} OPTIONAL {{ ?o {NAME_PROPS} ?n }} }}""")
        out: dict[str, dict] = {}
        for r in rows:
            entry = out.setdefault(r["e"].value, {}).setdefault(r["o"], [None, set()])
            if r["l"] and entry[0] is None:
                entry[0] = r["l"].value
            if r["n"]:
                entry[1].add(r["n"].value)
        return out

    # ------------------------------------------------------------ reconciliation
    def reconcile(self, q: dict) -> list[dict]:
        text = q.get("query") or ""
        types = [q["type"]] if isinstance(q.get("type"), str) else q.get("type") or []
        limit = max(0, min(int(q.get("limit") or DEFAULT_LIMIT), MAX_LIMIT))
        entities = self.typed(types)
        names = self.name_scores(text, entities) if text.strip() else {}
        if names:  # property constraints only re-rank plausible names; without a query they rank everyone
            entities = sorted((e for e in entities if names[e.iri] >= NAME_FLOOR), key=lambda e: -names[e.iri])
            entities = entities[:MAX_LIMIT]
        elif text.strip():
            return []
        features = {e.iri: ([{"id": "name", "value": round(names[e.iri], 1)}] if names else []) for e in entities}
        for prop in q.get("properties") or []:
            pid = expand(prop["pid"])
            given = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
            values = self.values([e.iri for e in entities], pid)
            for e in entities:
                score = max((self.value_score(v, term, label_names) for v in given
                             for term, label_names in values.get(e.iri, {}).items()), default=0.0)
                features[e.iri].append({"id": short(pid), "value": round(score, 1)})
        weights = [NAME_WEIGHT] * bool(names) + [1] * len(q.get("properties") or [])
        scored = sorted(((sum(w * f["value"] for w, f in zip(weights, features[e.iri])) / sum(weights), e)
                         for e in entities), key=lambda se: (-se[0], -se[1].mentions, se[1].label))
        scored = [(s, e) for s, e in scored if s >= MIN_SCORE]
        out = []
        for i, (score, e) in enumerate(scored[:limit]):
            runner_up = scored[1][0] if len(scored) > 1 else 0.0
            match = i == 0 and score >= MATCH_SCORE and score - runner_up >= MATCH_MARGIN
            out.append({**e.card(), "score": round(score, 1), "match": match, "features": features[e.iri]})
        return out

    def value_score(self, given, term, label_names) -> float:
        """How well a query's property value fits one value of the candidate (0-100)."""
        if isinstance(given, dict):
            if isinstance(term, NamedNode) and given.get("id") and term.value == self.iri_of(str(given["id"])):
                return 100.0
            given = given.get("name") or ""
        given = words(json.dumps(given) if isinstance(given, bool) else str(given))
        if not given:
            return 0.0
        label, names = label_names
        candidates = {term.value, *names} if isinstance(term, Literal) else {
            *names, label or "", self.pages.local(term.value) or term.value, re.split(r"[/#]", term.value)[-1]}
        return max((similarity(given, words(c)) for c in candidates if c), default=0.0)

    # ------------------------------------------------------------ suggest, proposals, extension
    def suggest_entities(self, prefix: str, types: list[str]) -> list[dict]:
        """Names that start with the typed words first (most mentioned first), then fuzzy look-alikes."""
        p = words(prefix)
        if not p:
            return []
        entities = self.typed(types)
        fuzzy = self.name_scores(prefix, entities)
        ranked = []
        for e in entities:
            starts = any(f" {p}" in f" {words(n)}" for n in e.names)
            score = 100.0 if starts else fuzzy.get(e.iri, 0.0)
            if score >= MIN_SCORE + 20:
                ranked.append((score, e))
        ranked.sort(key=lambda se: (-se[0], -se[1].mentions, se[1].label))
        out = []
        for _, e in ranked:
            card = {"id": e.id, "name": e.label, "notable": [type_ref(e.type)]}
            out.append({**card, "description": e.description} if e.description else card)
        return out

    def extend(self, ids: list[str], pids: list[str]) -> dict:
        """Data extension: each entity's values of each property, entities as {id, name}."""
        entities = {i: self.entity(i) for i in ids}
        rows = {i: {} for i in ids}
        meta = []
        for pid in pids:
            iri = expand(pid)
            meta.append({"id": pid, "name": self.properties.get(short(iri), {}).get("name", pid)})
            values = self.values([e.iri for e in entities.values() if e], iri)
            for i, e in entities.items():
                found = values.get(e.iri, {}) if e else {}
                rows[i][pid] = [self.cell(term, label) for term, (label, _) in found.items()]
        return {"meta": meta, "rows": rows}

    def cell(self, term, label: str | None) -> dict:
        if isinstance(term, Literal):
            dtype = term.datatype.value.rsplit("#", 1)[-1]
            try:
                if dtype in INTEGER:
                    return {"int": int(term.value)}
                if dtype in FLOAT:
                    return {"float": float(term.value)}
            except ValueError:
                pass
            return {"str": term.value}
        local = self.pages.local(term.value)
        if local is None:
            return {"str": term.value}
        known = self.by_iri.get(term.value)
        return {"id": local, "name": known.label if known else label or local}


# ------------------------------------------------------------ HTTP
def service() -> Reconciler:
    return current_app.extensions["archivekg_reconcile"]


def arg_json(name: str):
    try:
        return json.loads(request.values[name], parse_constant=_no_constant)
    except ValueError as err:
        raise QueryError(f"{name} is not valid JSON: {err}") from err


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def check_queries(queries) -> dict:
    """The batch's shape, checked enough that a bad payload is a 400 and never a 500."""
    if not isinstance(queries, dict):
        raise QueryError("queries must be a JSON object of {query id: query}")
    for qid, q in queries.items():
        if not isinstance(q, dict):
            raise QueryError(f"query {qid!r} must be an object")
        if not isinstance(q.get("query", ""), str):
            raise QueryError(f"query {qid!r}: 'query' must be a string")
        t = q.get("type", [])
        if not (isinstance(t, str) or isinstance(t, list) and all(isinstance(x, str) for x in t)):
            raise QueryError(f"query {qid!r}: 'type' must be a string or a list of strings")
        if not isinstance(q.get("limit", 0), (int, float)) or isinstance(q.get("limit"), bool):
            raise QueryError(f"query {qid!r}: 'limit' must be a number")
        props = q.get("properties", [])
        if not isinstance(props, list) or not all(isinstance(p, dict) and isinstance(p.get("pid"), str) and "v" in p
                                                  for p in props):
            raise QueryError(f"query {qid!r}: 'properties' must be a list of {{pid, v}}")
        if not q.get("query", "").strip() and not props:
            raise QueryError(f"query {qid!r} needs a 'query' or 'properties'")
    return queries


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
def endpoint():
    if "queries" in request.values:
        queries = check_queries(arg_json("queries"))
        return jsonify({qid: {"result": service().reconcile(q)} for qid, q in queries.items()})
    if "extend" in request.values:
        ext = arg_json("extend")
        if not (isinstance(ext, dict) and isinstance(ext.get("ids"), list) and isinstance(ext.get("properties"), list)
                and all(isinstance(i, str) for i in ext["ids"])
                and all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in ext["properties"])):
            raise QueryError("extend must be {ids: [...], properties: [{id}, ...]}")
        return jsonify(service().extend(ext["ids"], [p["id"] for p in ext["properties"]]))
    return jsonify(manifest())


def manifest() -> dict:
    root = request.url_root
    here = root.rstrip("/")
    return {
        "versions": ["0.2"],
        "name": f"archivekg ({service().pages.base})",
        "identifierSpace": service().pages.base,
        "schemaSpace": AKG,
        "defaultTypes": [type_ref(t) for t in TYPES],
        "view": {"url": root + "{{id}}"},
        "preview": {"url": root + "reconcile/preview?id={{id}}", "width": 430, "height": 140},
        "suggest": {kind: {"service_url": here, "service_path": f"/reconcile/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
        "extend": {"propose_properties": {"service_url": here, "service_path": "/reconcile/properties"},
                   "property_settings": []},
    }


def page(items: list, default: int = 10) -> dict:
    """The suggest protocol's paging: `cursor` (offset) and `limit`."""
    try:
        start, limit = int(request.args.get("cursor", 0)), int(request.args.get("limit", default))
    except ValueError as err:
        raise QueryError("cursor and limit must be integers") from err
    return {"result": items[max(0, start):max(0, start) + max(0, min(limit, MAX_LIMIT))]}


@bp.route("/suggest/entity")
def suggest_entity():
    types = request.args.getlist("type")
    return jsonify(page(service().suggest_entities(request.args.get("prefix", ""), types)))


@bp.route("/suggest/type")
def suggest_type():
    p = words(request.args.get("prefix", ""))
    return jsonify(page([type_ref(t) for t in TYPES if p in t.lower()]))


@bp.route("/suggest/property")
def suggest_property():
    p = words(request.args.get("prefix", ""))
    return jsonify(page([{"id": prop["id"], "name": prop["name"]} for prop in service().properties.values()
                         if p in words(prop["name"]) or p in words(prop["id"])]))


@bp.route("/properties")
def propose_properties():
    """Property proposals for data extension: the properties entities of the type actually have."""
    type_ = request.args.get("type", "")
    wanted = {e.type for e in service().typed([type_])} if type_ else set(TYPES)
    props = [{"id": p["id"], "name": p["name"]} for p in service().properties.values() if p["types"] & wanted]
    try:
        limit = int(request.args.get("limit", len(props)))
    except ValueError as err:
        raise QueryError("limit must be an integer") from err
    return jsonify({"type": type_, "properties": props[:max(0, limit)], "limit": limit})


@bp.route("/preview")
def preview():
    e = service().entity(request.args.get("id", ""))
    if e is None:
        return Response("unknown id\n", status=404, mimetype="text/plain")
    others = sorted(e.names - {e.label})
    html = Markup("""<!doctype html><html><head><meta charset="utf-8"><title>{label}</title></head>
<body style="margin:0;font:14px sans-serif"><div style="padding:6px">
<a href="{href}" target="_blank"><b>{label}</b></a> <small>({type}, {mentions} mentions)</small>
{description}{names}</div></body></html>""").format(
        label=e.label, href=request.url_root.rstrip("/") + service().pages.href(e.iri), type=e.type,
        mentions=e.mentions,
        description=Markup("<p style='margin:4px 0'>{}</p>").format(e.description) if e.description else "",
        names=Markup("<p style='margin:4px 0'>Also written: {}</p>").format(", ".join(others)) if others else "")
    return Response(html, mimetype="text/html")


@bp.errorhandler(QueryError)
def _bad_request(err):
    return jsonify({"error": str(err)}), 400


@bp.after_request
def _cors(resp):
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def register_reconciliation(app: Flask, store: Store) -> None:
    """Mount /reconcile on the app, with a name index built once from the read-only store."""
    app.extensions["archivekg_reconcile"] = Reconciler(store)
    app.register_blueprint(bp)
