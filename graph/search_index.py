"""The index written beside the store: `{store}/search.sqlite`, SQLite FTS5 with trigrams.

It holds every name of every entity, document titles and the text of every sentence, each folded
(`fold_text`) so that "Pişəvəri", "ПИШЕВАРИ" and "pishevari" index alike; and the events and mentions
the timeline and the entity pages count over (graph.page_index). Documents, sentences, events and
mentions are kept by the file graph they come from, so that a build which changed a few files starts
from the previous version's index and replaces only those files' rows; entity names come from the
corpus graph, small beside the sentences, and are rewritten whole. The trigram tokenizer's own
`remove_diacritics` needs SQLite 3.45 and does not romanize Cyrillic, so the folding is ours, the same
for the index and the query, whatever SQLite the index is read with.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

from pyoxigraph import Store

from extract.names import fold
from graph.iris import AKG, iri_list, sparql_prefixes
from graph.page_index import PAGE_SCHEMA, drop_pages, index_pages

SEARCH_FILE = "search.sqlite"
SCHEMA_VERSION = "3"  # 2: documents name their file graph; 3: events and mentions (graph.page_index)
ENTITY_CLASSES = ("Person", "Place", "Organization", "Group")
_PIECES = re.compile(r"\w+|\s+|.", re.S)

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);  -- 'built': tells readers a new index from an old
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, label TEXT NOT NULL, type TEXT NOT NULL,
                    mentions INTEGER NOT NULL);
-- every name of an entity (label, prefLabel, altLabel, name as written), one row per folded key
CREATE TABLE name(id INTEGER PRIMARY KEY, entity INTEGER NOT NULL REFERENCES entity, name TEXT NOT NULL,
                  key TEXT NOT NULL);
-- the whole key and each word of it, for exact and prefix lookups of any length
CREATE TABLE name_word(word TEXT NOT NULL, name INTEGER NOT NULL REFERENCES name);
CREATE INDEX name_word_word ON name_word(word);
CREATE VIRTUAL TABLE name_fts USING fts5(key, content='name', content_rowid='id', tokenize='trigram');
CREATE TABLE document(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, title TEXT, date TEXT, graph TEXT NOT NULL);
CREATE INDEX document_iri ON document(iri);
CREATE VIRTUAL TABLE document_fts USING fts5(key, tokenize='trigram');
CREATE TABLE sentence(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, document INTEGER NOT NULL REFERENCES document,
                      start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL);
CREATE VIRTUAL TABLE sentence_fts USING fts5(key, tokenize='trigram');
""" + PAGE_SCHEMA


def fold_pieces(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded) for each word, space run and other character of the text: a space run
    folds to one space, a word by `extract.names.fold` (romanized, lower case, apostrophes dropped)."""
    return [(m.start(), m.end(), " " if m.group().isspace() else fold(m.group())) for m in _PIECES.finditer(text)]


def fold_text(text: str) -> str:
    """The text as the index holds it and as queries are matched against it."""
    return "".join(piece for _, _, piece in fold_pieces(text))


def write_search_index(store: Store, store_path: str | Path, changed: set[str] | None = None,
                       previous: Path | None = None) -> Path:
    """Write `{store_path}/search.sqlite` from the store, beside and renamed into place. Given the file
    graphs this build `changed` and the `previous` version's folder, start from its index: the documents
    of changed or vanished graphs are dropped and only the changed graphs are read again."""
    target = Path(store_path) / SEARCH_FILE
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    old = previous / SEARCH_FILE if previous else None
    incremental = changed is not None and old is not None and (previous_index := open_index(old)) is not None
    if incremental:
        previous_index.close()
        shutil.copyfile(old, partial)
    db = sqlite3.connect(partial)
    try:
        if incremental:
            db.executescript("DELETE FROM name_word; DELETE FROM name; DELETE FROM entity;")
        else:
            db.executescript(SCHEMA)
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('built', ?)", (str(time.time_ns()),))
        _entities(db, store)
        present = {row["g"].value for row in _query(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a akg:Document } }")}
        wanted = present - _drop_documents(db, present, changed or set()) if incremental else None
        _sentences(db, store, wanted, _documents(db, store, wanted))
        index_pages(db, store, wanted)
        for table in ("name_fts", "document_fts", "sentence_fts"):
            db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        db.commit()
    finally:
        db.close()
    os.replace(partial, target)
    return target


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def open_index(path: Path) -> sqlite3.Connection | None:
    """The index, read-only; None if there is none, or one of another schema (a build writes it anew)."""
    if not path.is_file():
        return None
    db = read_only(path)
    try:
        if db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (SCHEMA_VERSION,):
            return db
    except sqlite3.Error:
        pass
    db.close()
    return None


def _drop_documents(db: sqlite3.Connection, present: set[str], changed: set[str]) -> set[str]:
    """Drop the documents (their sentences, events and mentions) of graphs changed or gone; the graphs kept
    as they were."""
    stale = [(doc, graph) for doc, graph in db.execute("SELECT id, graph FROM document")
             if graph in changed or graph not in present]
    for doc, _ in stale:
        db.execute("DELETE FROM sentence_fts WHERE rowid IN (SELECT id FROM sentence WHERE document = ?)", (doc,))
        db.execute("DELETE FROM sentence WHERE document = ?", (doc,))
        db.execute("DELETE FROM document_fts WHERE rowid = ?", (doc,))
        db.execute("DELETE FROM document WHERE id = ?", (doc,))
    drop_pages(db, {graph for _, graph in stale})
    return {graph for (graph,) in db.execute("SELECT DISTINCT graph FROM document")}


def _graphs(graphs: set[str] | None) -> str:
    """A VALUES clause that restricts ?g to these graphs (None: every graph)."""
    return "" if graphs is None else f"VALUES ?g {{ {iri_list(graphs)} }}"


def _query(store: Store, sparql: str):
    return store.query(sparql_prefixes() + sparql, use_default_graph_as_union=True)


def _entities(db: sqlite3.Connection, store: Store) -> None:
    classes = " ".join(f"akg:{c}" for c in ENTITY_CLASSES)
    ids: dict[str, int] = {}
    for row in _query(store, f"""SELECT ?e (SAMPLE(?t) AS ?type) (SAMPLE(?l) AS ?label) (MAX(?c) AS ?count) WHERE {{
            VALUES ?t {{ {classes} }} ?e a ?t ; rdfs:label ?l . OPTIONAL {{ ?e akg:mentionCount ?c }} }}
            GROUP BY ?e ORDER BY ?e"""):
        ids[row["e"].value] = len(ids) + 1
        db.execute("INSERT INTO entity VALUES (?, ?, ?, ?, ?)", (ids[row["e"].value], row["e"].value,
                   row["label"].value, row["type"].value[len(AKG):], int(row["count"].value) if row["count"] else 0))
    seen: set[tuple[int, str]] = set()  # the names as written are the altLabels, but for case: one key
    for row in _query(store, """SELECT ?e ?n ?rank WHERE {
            { ?e rdfs:label ?n BIND(0 AS ?rank) } UNION { ?e skos:prefLabel ?n BIND(1 AS ?rank) }
            UNION { ?e skos:altLabel ?n BIND(2 AS ?rank) } } ORDER BY ?e ?rank ?n"""):
        entity = ids.get(row["e"].value)
        key = fold_text(row["n"].value).strip()
        if entity is None or not key or (entity, key) in seen:  # one row per spelling, the label's first
            continue
        seen.add((entity, key))
        name = db.execute("INSERT INTO name(entity, name, key) VALUES (?, ?, ?)",
                          (entity, row["n"].value, key)).lastrowid
        db.executemany("INSERT INTO name_word VALUES (?, ?)", [(w, name) for w in {key, *re.findall(r"\w+", key)}])
    db.execute("INSERT INTO name_fts(name_fts) VALUES ('rebuild')")


def _documents(db: sqlite3.Connection, store: Store, graphs: set[str] | None) -> dict[str, int]:
    """Index the documents of these graphs (None: all); returns their row ids by IRI."""
    ids: dict[str, int] = {}
    if graphs == set():
        return ids
    for row in _query(store, f"""SELECT ?g ?d (SAMPLE(?t) AS ?title) (SAMPLE(?date) AS ?day) WHERE {{ {_graphs(graphs)}
            GRAPH ?g {{ ?d a akg:Document }} OPTIONAL {{ ?d dcterms:title ?t }} OPTIONAL {{ ?d dcterms:date ?date }} }}
            GROUP BY ?g ?d ORDER BY ?d"""):
        title = row["title"].value if row["title"] else None
        ids[row["d"].value] = doc = db.execute(
            "INSERT INTO document(iri, title, date, graph) VALUES (?, ?, ?, ?)",
            (row["d"].value, title, row["day"].value if row["day"] else None, row["g"].value)).lastrowid
        if title:
            db.execute("INSERT INTO document_fts(rowid, key) VALUES (?, ?)", (doc, fold_text(title)))
    return ids


def _sentences(db: sqlite3.Connection, store: Store, graphs: set[str] | None, documents: dict[str, int]) -> None:
    if graphs == set():
        return
    rows = _query(store, f"""SELECT ?s ?d ?a ?b ?v WHERE {{ {_graphs(graphs)}
            GRAPH ?g {{ ?s a akg:Sentence ; rdf:value ?v ; akg:document ?d ; akg:start ?a ; akg:end ?b }} }} ORDER BY ?d ?a""")
    for row in rows:
        doc = documents.get(row["d"].value)
        if doc is None:
            continue
        sentence = db.execute('INSERT INTO sentence(iri, document, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                              (row["s"].value, doc, int(row["a"].value), int(row["b"].value), row["v"].value)).lastrowid
        db.execute("INSERT INTO sentence_fts(rowid, key) VALUES (?, ?)", (sentence, fold_text(row["v"].value)))
