"""/search and /search.json over the index `archivekg build` writes beside the store (graph.search_index).

Names rank in tiers: exact (a whole name or one of its words, or a key web.reconcile finds identical),
then prefix, then substring (FTS5 trigrams), then fuzzy over every name, for misspellings nobody wrote
("Pishevary", "Tebriz"). Within a tier: the best name's similarity (web.reconcile's, which knows
transliteration variants) plus a small bonus for mentions. Document titles and sentence text are
matched by trigrams; the whole query as written comes first, then the other hits by bm25.
"""
from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass

from flask import Flask, jsonify, render_template, request, url_for

from graph.search_index import fold_pieces, fold_text
from web.queries import ENTITY_TYPES, TYPE_NOUNS, Pages
from web.reconcile import key as name_key
from web.reconcile import similarity

EXACT, PREFIX, SUBSTRING, FUZZY = 3, 2, 1, 0
FUZZY_FLOOR = 75     # below this a name is noise; a misspelled word of a longer name scores ~79 ('Bageroff')
MENTION_BONUS = 5.0  # at most this much for mentions, on a log scale: it breaks near-ties, never tiers
MAX_QUERY = 200      # characters of a query that count
MIN_TEXT = 3         # trigrams need three characters; shorter queries match name prefixes only
ENTITY_LIMIT, DOCUMENT_LIMIT, SENTENCES_PER_PAGE = 50, 50, 20
SUGGEST_LIMIT, SUGGEST_MAX = 8, 50
SNIPPET, SNIPPET_LEAD = 300, 100  # a longer sentence shows this many characters, from a little before its hit
FOLDERS = {cls: folder for folder, cls in ENTITY_TYPES.items()}
KIND_TITLES = {**{folder: TYPE_NOUNS[cls].capitalize() for folder, cls in ENTITY_TYPES.items()},
               "doc": "Documents", "sentence": "Sentences"}  # the values of ?type=, in the order shown
MISSING = "This store has no search index yet: rebuild it with `archivekg build` to search names and text."


@dataclass
class Names:
    """Every entity and name of one index build, held in memory for fuzzy matching."""
    built: str
    entities: dict[int, tuple[str, str, str, int]]  # id -> (iri, label, type, mentions)
    names: list[tuple[int, int, str, str]]          # (name id, entity id, name as written, reconcile key)


class SearchIndex:
    """Queries over the index beside the store (Pages.index gives the connection)."""

    def __init__(self):
        self._names: Names | None = None

    def names(self, db: sqlite3.Connection) -> Names:
        """The names of the build `db` reads, reloaded when a new build has replaced the file."""
        built = db.execute("SELECT value FROM meta WHERE key = 'built'").fetchone()[0]
        cached = self._names
        if cached is None or cached.built != built:
            entities = {r[0]: r[1:] for r in db.execute("SELECT id, iri, label, type, mentions FROM entity")}
            names = [(i, e, n, name_key(n)) for i, e, n in db.execute("SELECT id, entity, name FROM name")]
            self._names = cached = Names(built, entities, names)
        return cached

    def entities(self, db: sqlite3.Connection, q: str) -> list[dict]:
        """Every entity one of whose names matches, best first (see the module docstring)."""
        data = self.names(db)
        folded = fold_text(q).strip()
        if not folded:
            return []
        tiers: dict[int, int] = {}  # name id -> tier found by SQL
        for name, word in db.execute("SELECT name, word FROM name_word WHERE word >= ? AND word < ?",
                                     (folded, folded + "\U0010ffff")):
            tiers[name] = max(tiers.get(name, FUZZY), EXACT if word == folded else PREFIX)
        if len(folded) >= MIN_TEXT:
            for (name,) in db.execute("SELECT rowid FROM name_fts WHERE name_fts MATCH ?", (phrase(folded),)):
                tiers.setdefault(name, SUBSTRING)
        k = name_key(q)
        best: dict[int, tuple[int, float, str]] = {}  # entity -> (tier, similarity, name as written)
        for name, entity, written, key in data.names:
            tier = tiers.get(name)
            if tier is None and len(folded) < MIN_TEXT:
                continue
            score = similarity(k, key) if k and key else 0.0
            if tier is None and score < FUZZY_FLOOR:
                continue
            tier = EXACT if score == 100 else FUZZY if tier is None else tier
            if entity not in best or (tier, score) > best[entity][:2]:
                best[entity] = (tier, score, written)
        rows = []
        for entity, (tier, score, written) in best.items():
            iri, label, type_, mentions = data.entities[entity]
            rows.append({"iri": iri, "label": label, "type": type_, "mentions": mentions, "tier": tier,
                         "matched": written if written != label else None,
                         "score": round(score + min(MENTION_BONUS, math.log1p(mentions)), 1)})
        rows.sort(key=lambda r: (-r["tier"], -r["score"], r["label"]))
        return rows

    def documents(self, db: sqlite3.Connection, q: str, limit: int) -> list[dict]:
        folded = fold_text(q).strip()
        expr = match_expression(folded)
        if expr is None:
            return []
        rows = db.execute("""SELECT d.iri, d.title, d.date FROM document_fts
                             JOIN document d ON d.id = document_fts.rowid WHERE document_fts MATCH ?
                             ORDER BY instr(document_fts.key, ?) = 0, bm25(document_fts), d.date, d.iri LIMIT ?""",
                          (expr, folded, limit))
        return [{"iri": iri, "title": title, "date": date, "pieces": marked(title, folded)}
                for iri, title, date in rows]

    def sentences(self, db: sqlite3.Connection, q: str, page: int) -> tuple[list[dict], int]:
        """One page of sentences (1-based) and the number of sentences that match."""
        folded = fold_text(q).strip()
        expr = match_expression(folded)
        if expr is None:
            return [], 0
        total = db.execute("SELECT count(*) FROM sentence_fts WHERE sentence_fts MATCH ?", (expr,)).fetchone()[0]
        rows = db.execute("""SELECT s.iri, s.text, d.iri, d.title, d.date FROM sentence_fts
                             JOIN sentence s ON s.id = sentence_fts.rowid JOIN document d ON d.id = s.document
                             WHERE sentence_fts MATCH ? ORDER BY instr(sentence_fts.key, ?) = 0, bm25(sentence_fts),
                             d.iri, s.start LIMIT ? OFFSET ?""", (expr, folded, SENTENCES_PER_PAGE, (page - 1) * SENTENCES_PER_PAGE))
        return [{"iri": iri, "pieces": marked(text, folded), "doc": doc, "doc_title": title, "date": date}
                for iri, text, doc, title, date in rows], total


def phrase(text: str) -> str:
    """An FTS5 phrase matching the text as a substring (trigrams in a row); quotes doubled, so no syntax."""
    return '"' + text.replace('"', '""') + '"'


def match_expression(folded: str) -> str | None:
    """Every word of three characters or more must occur (in any order): None if there is none."""
    words = [w for w in folded.split() if len(w) >= MIN_TEXT]
    return " AND ".join(phrase(w) for w in words) or None


def marked(text: str, folded_query: str) -> list[tuple[str, bool]]:
    """The text as (piece, is-hit) pairs: hits of the whole query, else of its words, found in the folded
    text and mapped back to the text as written; a long text is cut to a window around the first hit."""
    folded, spans = [], []  # spans[i]: the characters of the text that folded character i came from
    for start, end, piece in fold_pieces(text):
        folded.append(piece)
        same = len(piece) == end - start
        spans += [(start + i, start + i + 1) if same else (start, end) for i in range(len(piece))]
    folded = "".join(folded)
    hits = _find(folded, [folded_query]) or _find(folded, [w for w in folded_query.split() if len(w) >= MIN_TEXT])
    hits = _merge([(spans[a][0], spans[b - 1][1]) for a, b in hits])
    lo, hi = 0, len(text)
    if len(text) > SNIPPET:
        first = hits[0][0] if hits else 0
        space = text.find(" ", first - SNIPPET_LEAD, first) if first >= SNIPPET_LEAD else -1
        lo = 0 if first < SNIPPET_LEAD else space + 1 if space >= 0 else first - SNIPPET_LEAD
        cut = text.rfind(" ", lo + SNIPPET // 2, lo + SNIPPET)
        hi = len(text) if lo + SNIPPET >= len(text) else (cut if cut > 0 else lo + SNIPPET)
    out, at = [("… ", False)] if lo else [], lo
    for a, b in hits:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            out += [(text[at:a], False), (text[a:b], True)]
            at = b
    out.append((text[at:hi] + (" …" if hi < len(text) else ""), False))
    return [p for p in out if p[0]]


def _find(folded: str, needles: list[str]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for n in needles if n for m in re.finditer(re.escape(n), folded)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def register_search(app: Flask, pages: Pages) -> None:
    """Serve /search (the results page) and /search.json (suggestions for the search boxes)."""
    index = SearchIndex()

    def search():
        q = request.args.get("q", "").strip()[:MAX_QUERY]
        kind = request.args.get("type", "")
        kind = kind if kind in KIND_TITLES else ""
        page = max(1, request.args.get("page", 1, type=int))
        view = {"q": q, "kind": kind, "kinds": [], "entities": [], "documents": [], "sentences": [], "total": 0,
                "page": page, "pages": 0, "too_short": False, "missing": None, "instead": None}
        if not q:
            return render_template("search.html", **view)
        with pages.index() as db:
            if db is None:
                return render_template("search.html", **{**view, "missing": MISSING}), 503
            entities = index.entities(db, q)
            documents = index.documents(db, q, DOCUMENT_LIMIT)
            sentences, total = index.sentences(db, q, page)
        counts = {folder: sum(e["type"] == cls for e in entities) for folder, cls in ENTITY_TYPES.items()}
        counts |= {"doc": len(documents), "sentence": total}
        for e in entities:
            e["href"] = pages.href(e["iri"])
        for d in documents:
            d["href"] = pages.href(d["iri"])
        for s in sentences:
            s["href"], s["doc_href"] = pages.href(s["iri"]), pages.href(s["doc"])
        shown = lambda k: kind in ("", k)  # noqa: E731
        view.update(
            kinds=[{"kind": k, "title": KIND_TITLES[k], "n": n, "href": url_for("search", q=q, type=k)}
                   for k, n in counts.items() if n],
            entities=[e for e in entities if shown(FOLDERS[e["type"]])][:ENTITY_LIMIT],
            documents=documents if shown("doc") else [], sentences=sentences if shown("sentence") else [],
            total=total if shown("sentence") else 0, pages=math.ceil(total / SENTENCES_PER_PAGE),
            too_short=len(fold_text(q).strip()) < MIN_TEXT)
        if entities and entities[0]["tier"] == FUZZY and not documents and not total:  # a misspelling: offer the name
            view["instead"] = entities[0]["matched"] or entities[0]["label"]
        return render_template("search.html", **view)

    def suggest():
        q = request.args.get("q", "").strip()[:MAX_QUERY]
        limit = min(max(1, request.args.get("limit", SUGGEST_LIMIT, type=int)), SUGGEST_MAX)
        if not q:
            return jsonify([])
        with pages.index() as db:
            if db is None:
                return jsonify({"error": MISSING}), 503
            out = [{"label": e["label"], "type": e["type"], "href": pages.href(e["iri"]),
                    "matched": e["matched"] or e["label"]} for e in index.entities(db, q)[:limit]]
            if len(out) < limit:
                out += [{"label": d["title"], "type": "Document", "href": pages.href(d["iri"]), "matched": d["title"]}
                        for d in index.documents(db, q, limit - len(out))]
        return jsonify(out)

    app.add_url_rule("/search", "search", search)
    app.add_url_rule("/search.json", "search_json", suggest)
