"""Entities as the store holds them, and the explanation of each merge, for `archivekg entities`."""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import NamedNode, Store

from extract.names import fold
from graph.iris import sparql_prefixes


def entity_rows(store: Store, type_: str | None = None) -> list[dict]:
    type_filter = f"VALUES ?t {{ akg:{type_} }}" if type_ else "VALUES ?t { akg:Person akg:Place akg:Organization akg:Group }"
    rows = store.query(sparql_prefixes() + f"""
        SELECT ?e ?t ?label ?n WHERE {{ {type_filter} ?e a ?t ; rdfs:label ?label . OPTIONAL {{ ?e akg:mentionCount ?n }} }}
        ORDER BY ?t ?label""", use_default_graph_as_union=True)
    return [{"iri": r["e"].value, "type": r["t"].value.split("#")[-1], "label": r["label"].value,
             "mentions": int(r["n"].value) if r["n"] else 0} for r in rows]


def explain(store: Store, name: str, type_: str | None = None) -> list[dict]:
    """Every entity with a label or name containing `name` (accents and case aside), with its cluster:
    each name as written, the documents it is written in, and why each mention joined the entity."""
    wanted = fold(name)
    matches = [r for r in entity_rows(store, type_) if wanted in fold(r["label"])]
    rows = store.query(sparql_prefixes() + """
        SELECT ?e ?alt WHERE { ?e skos:altLabel ?alt }""", use_default_graph_as_union=True)
    by_alt = {r["e"].value for r in rows if wanted in fold(r["alt"].value)}
    iris = {r["iri"] for r in matches} | by_alt
    result = []
    for row in entity_rows(store, type_):
        if row["iri"] not in iris:
            continue
        node = str(NamedNode(row["iri"]))  # serialized by pyoxigraph, so safe inside the query
        mentions = store.query(sparql_prefixes() + f"""
            SELECT ?name ?doc ?reason WHERE {{ ?m oa:hasBody {node} ; akg:nameAsWritten ?name ; akg:document ?doc .
              OPTIONAL {{ ?m akg:resolution ?reason }} }} ORDER BY ?name ?doc""", use_default_graph_as_union=True)
        names: dict[str, dict] = defaultdict(lambda: {"count": 0, "documents": [], "reasons": []})
        for m in mentions:
            n = names[m["name"].value]
            n["count"] += 1
            doc = m["doc"].value.rsplit("/", 1)[-1]
            if doc not in n["documents"]:
                n["documents"].append(doc)
            if m["reason"] is not None and m["reason"].value not in n["reasons"]:
                n["reasons"].append(m["reason"].value)
        same_as = [r["o"].value for r in store.query(sparql_prefixes() + f"SELECT ?o WHERE {{ {node} owl:sameAs ?o }}",
                                                      use_default_graph_as_union=True)]
        result.append({**row, "same_as": same_as, "names": [
            {"name": k, **v} for k, v in sorted(names.items(), key=lambda kv: -kv[1]["count"])]})
    return result
