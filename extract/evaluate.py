"""`archivekg eval`: the extractor scored against hand-checked gold annotations (tests/gold/*.json).

Scores, as precision / recall / F1, overall, for held-out files apart, per document and per event type:
- mentions: exact span and type;
- entities: per document, the entities named, gold ids aligned to system keys through their mentions;
- events: type and sentence; events with arguments (the headline): also the place and at least one
  participant in its role, where the gold gives them;
- relations: the shortcuts (reportedTo, disarmed, heldRole, ...) between aligned entities, per document;
- dates: the date of matched events.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extract.events import role_shortcuts, shortcuts
from extract.pipeline import Extractor
from extract.records import Extraction

ROOT = Path(__file__).resolve().parent.parent
IMPLIED = {"reportedTo": "sentMessageTo"}  # a report is also a message sent


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Score") -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def compare(gold: set, system: set) -> Score:
    return Score(len(gold & system), len(system - gold), len(gold - system))


@dataclass
class Report:
    """Scores by measure, for a group of documents."""

    measures: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    event_types: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    errors: list[str] = field(default_factory=list)

    def add(self, other: "Report") -> None:
        for k, v in other.measures.items():
            self.measures[k].add(v)
        for k, v in other.event_types.items():
            self.event_types[k].add(v)
        self.errors.extend(other.errors)

    @property
    def event_relation(self) -> Score:
        s = Score()
        s.add(self.measures["events"])
        s.add(self.measures["relations"])
        return s


def load_gold(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.json"))]


@dataclass
class Clustering:
    """How well mentions are grouped into entities, corpus-wide: pairwise and B-cubed, and every false merge."""

    pairwise: Score = field(default_factory=Score)
    bcubed_precision: float = 1.0
    bcubed_recall: float = 1.0
    false_merges: list[str] = field(default_factory=list)

    @property
    def bcubed_f1(self) -> float:
        p, r = self.bcubed_precision, self.bcubed_recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_all(gold_folder: str | Path, extractor: Extractor
                 ) -> tuple[dict[str, Report], dict[str, bool], dict[str, Clustering]]:
    """Run the extractor on every gold file (resolved together, as a build does): per-document reports and
    corpus-wide clustering scores. The extractor's configuration is what is measured: without the
    authority file, for instance, it shows what finding and resolving do on names no one has curated."""
    golds = load_gold(Path(gold_folder))
    extractions = [extractor.analyse_file(ROOT / g["file"]) for g in golds]
    extractor.resolve(extractions)
    reports: dict[str, Report] = {}
    heldout: dict[str, bool] = {}
    pairs: list[tuple[str, str, str, bool]] = []  # (gold id, system key, name as written, held out)
    for g, x in zip(golds, extractions):
        for gdoc in g["documents"]:
            reports[gdoc["doc_id"]] = score_document(gdoc, g["entities"], x)
            heldout[gdoc["doc_id"]] = bool(g.get("heldout"))
            pairs += matched_mentions(gdoc, g["entities"], x, bool(g.get("heldout")))
    clustering = {"all": cluster_scores(pairs), "development": cluster_scores([p for p in pairs if not p[3]]),
                  "held-out": cluster_scores([p for p in pairs if p[3]])}
    return reports, heldout, clustering


def matched_mentions(gdoc: dict, gold_entities: dict, x: Extraction, held: bool) -> list[tuple[str, str, str, bool]]:
    """Gold mentions the system also found (same span, same type), with both their entities: clustering is
    scored apart from span errors ("Iran" found inside "Northern Iran" is a span error, not a merge)."""
    found = []
    for gm in gdoc.get("mentions", []):
        gtype = gold_entities[gm["entity"]]["type"]
        m = next((m for m in x.mentions if m.doc_id == gdoc["doc_id"] and (m.start, m.end) == (gm["start"], gm["end"])
                  and m.type == gtype), None)
        if m is not None:
            found.append((gm["entity"], m.entity, m.name, held))
    return found


def cluster_scores(pairs: list[tuple[str, str, str, bool]]) -> Clustering:
    result = Clustering()
    if not pairs:
        return result
    gold_size, system_size, both = Counter(), Counter(), Counter()
    for g, s, _, _ in pairs:
        gold_size[g] += 1
        system_size[s] += 1
        both[(g, s)] += 1
    same_both = sum(n * (n - 1) // 2 for n in both.values())
    same_system = sum(n * (n - 1) // 2 for n in system_size.values())
    same_gold = sum(n * (n - 1) // 2 for n in gold_size.values())
    result.pairwise = Score(same_both, same_system - same_both, same_gold - same_both)
    result.bcubed_precision = sum(both[(g, s)] / system_size[s] for g, s, _, _ in pairs) / len(pairs)
    result.bcubed_recall = sum(both[(g, s)] / gold_size[g] for g, s, _, _ in pairs) / len(pairs)
    by_system: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for g, s, name, _ in pairs:
        by_system[s][g].add(name)
    for s, golds in sorted(by_system.items()):
        if len(golds) > 1:
            result.false_merges.append(f"{s} joins " + "; ".join(
                f"{g} ({', '.join(sorted(names))})" for g, names in sorted(golds.items())))
    return result


def score_document(gdoc: dict, gold_entities: dict, x: Extraction) -> Report:
    doc_id = gdoc["doc_id"]
    report = Report()
    mentions = [m for m in x.mentions if m.doc_id == doc_id]
    gold_mentions = gdoc.get("mentions", [])
    report.measures["mentions"] = compare(
        {(m["start"], m["end"], gold_entities[m["entity"]]["type"]) for m in gold_mentions},
        {(m.start, m.end, m.type) for m in mentions})

    # gold entity id -> system key, by the system mentions that overlap its gold mentions with the same type
    votes: dict[str, Counter] = defaultdict(Counter)
    for gm in gold_mentions:
        gtype = gold_entities[gm["entity"]]["type"]
        for m in mentions:
            if m.start < gm["end"] and gm["start"] < m.end and m.type == gtype:
                votes[gm["entity"]][m.entity] += 1
    align = {gid: c.most_common(1)[0][0] for gid, c in votes.items()}
    gold_ids = {gm["entity"] for gm in gold_mentions}
    system_keys = {m.entity for m in mentions}
    found = {gid for gid in gold_ids if align.get(gid) in system_keys}
    correct = {k for k in system_keys if k in {align.get(gid) for gid in gold_ids}}
    report.measures["entities"] = Score(len(correct), len(system_keys - correct), len(gold_ids - found))
    report.errors += [f"{doc_id}: missed entity {gid}" for gid in sorted(gold_ids - found)]
    report.errors += [f"{doc_id}: spurious entity {k}" for k in sorted(system_keys - correct)]

    # events: type and sentence
    events = [e for e in x.events if e.doc_id == doc_id]
    unmatched = list(events)
    matched: list[tuple[dict, object]] = []
    for ge in gdoc.get("events", []):
        hit = next((e for e in unmatched if e.type == ge["type"] and (
            e.evidence.start <= ge["sentence_start"] < max(e.evidence.end, e.evidence.start + 1))), None)
        score = report.event_types[ge["type"]]
        if hit:
            unmatched.remove(hit)
            matched.append((ge, hit))
            score.tp += 1
        else:
            score.fn += 1
            report.errors.append(f"{doc_id}: missed {ge['type']} at {ge['sentence_start']} ({ge.get('trigger')})")
    for e in unmatched:
        report.event_types[e.type].fp += 1
        report.errors.append(f"{doc_id}: spurious {e.type} at {e.evidence.start} ({e.trigger})")
    ev = Score()
    for s in report.event_types.values():
        ev.add(s)
    report.measures["events"] = ev
    argued = sum(1 for ge, e in matched if _arguments_agree(ge, e, align))
    report.measures["events+args"] = Score(argued, len(events) - argued, len(gdoc.get("events", [])) - argued)
    report.errors += [f"{doc_id}: {ge['type']} at {ge['sentence_start']} ({ge.get('trigger')}) found with other arguments"
                      for ge, e in matched if not _arguments_agree(ge, e, align)]

    # dates of matched events
    gold_dates = {id(e): (ge.get("date"), ge.get("date_precision")) for ge, e in matched if ge.get("date")}
    system_dates = {id(e): (e.date_iso, e.date_precision) for _, e in matched if e.date_iso}
    right = sum(1 for k, v in system_dates.items() if gold_dates.get(k) == v)
    report.measures["dates"] = Score(right, len(system_dates) - right, len(gold_dates) - right)

    # relations between aligned entities
    def expand(triples):
        out = set(triples)
        out |= {(s, IMPLIED[p], o) for s, p, o in triples if p in IMPLIED}
        return out

    gold_rel = set()
    for r in gdoc.get("relations", []):
        subject = align.get(r["subject"], "gold:" + r["subject"])
        if r["predicate"] == "heldRole":
            gold_rel.add((subject, "heldRole", _role_key(r["object"])))
        else:
            gold_rel.add((subject, r["predicate"], align.get(r["object"], "gold:" + r["object"])))
    system_rel = {t for e in events for t in shortcuts(e)}
    for role in (r for r in x.roles if r.doc_id == doc_id):
        system_rel.add((role.holder.entity, "heldRole", _role_key(role.role)))
        system_rel |= set(role_shortcuts(role))
    gold_rel, system_rel = expand(gold_rel), expand(system_rel)
    report.measures["relations"] = compare(gold_rel, system_rel)
    report.errors += [f"{doc_id}: missed relation {t}" for t in sorted(gold_rel - system_rel)]
    report.errors += [f"{doc_id}: spurious relation {t}" for t in sorted(system_rel - gold_rel)]
    return report


def _arguments_agree(gold: dict, event, align: dict[str, str]) -> bool:
    """The place (one of the gold's, where it gives one; an origin or destination counts) and at least one
    of the gold's participants, where it gives any (in any role: who met whom is symmetric; the relations
    measure scores direction)."""
    places = {m.entity for m in event.places + [event.origin, event.destination] if m}
    if gold.get("places") and not places & {align.get(g) for g in gold["places"]}:
        return False
    roles = ("agents", "patients", "recipients")
    wanted = {align.get(g) for r in roles for g in gold.get(r, [])}
    return not wanted or bool(wanted & {m.entity for r in roles for m in getattr(event, r)})


def _role_key(text: str) -> str:
    """Roles compare by their head word: "the British consul in Tabriz" and "British consul" agree."""
    words = [w for w in text.lower().replace(",", " ").split() if w not in {"the", "our", "a", "an", "his", "their"}]
    if "of" in words:
        words = words[:words.index("of")]
    return words[-1] if words else ""


def format_report(reports: dict[str, Report], heldout: dict[str, bool], per_document: bool = True,
                  show_errors: bool = False, clustering: dict[str, Clustering] | None = None) -> str:
    lines = []
    groups = {"all": Report(), "development": Report(), "held-out": Report()}
    for doc_id, r in reports.items():
        groups["all"].add(r)
        groups["held-out" if heldout[doc_id] else "development"].add(r)

    def row(name: str, s: Score) -> str:
        return f"{name:<28} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d}"

    header = f"{'':<28} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}"
    for name, group in groups.items():
        n = sum(1 for d in reports if name == "all" or (name == "held-out") == heldout[d])
        lines += ["", f"== {name} ({n} documents)", header]
        for measure in ("mentions", "entities", "events", "events+args", "relations", "dates"):
            lines.append(row(measure, group.measures[measure]))
        lines.append(row("events+relations", group.event_relation))
    if clustering:
        lines += ["", "== entity clustering (mentions found by both, corpus-wide)",
                  f"{'':<28} {'pair P':>6} {'pair R':>6} {'pairF1':>6} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'false merges':>13}"]
        for name, c in clustering.items():
            lines.append(f"{name:<28} {c.pairwise.precision:6.3f} {c.pairwise.recall:6.3f} {c.pairwise.f1:6.3f} "
                         f"{c.bcubed_precision:6.3f} {c.bcubed_recall:6.3f} {c.bcubed_f1:6.3f} {len(c.false_merges):13d}")
        lines += ["false merge: " + f for f in clustering["all"].false_merges]
    lines += ["", "== event types (all documents)", header]
    for t, s in sorted(groups["all"].event_types.items()):
        lines.append(row(t, s))
    if per_document:
        lines += ["", "== per document (F1)",
                  f"{'document':<44} {'mention':>7} {'entity':>7} {'event':>7} {'ev+arg':>7} {'relat.':>7} {'date':>7}"]
        for doc_id, r in reports.items():
            mark = " (held out)" if heldout[doc_id] else ""
            lines.append(f"{(doc_id + mark):<44} " + " ".join(
                f"{r.measures[m].f1:7.3f}" for m in ("mentions", "entities", "events", "events+args", "relations",
                                                      "dates")))
    if show_errors:  # held-out errors stay hidden: rules are not written while looking at them
        lines += ["", "== errors (development documents; held-out ones are not shown)"] + groups["development"].errors
    return "\n".join(lines)
