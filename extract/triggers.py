"""Trigger finding: which token of a parsed sentence reports an event, and of what kind.

The table is data (`triggers.toml`): verbs and nouns, the event type each reports, the relation it
names and the conditions under which it counts. `Rules` reads it once; `TriggerFinder` applies it to
a token.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table is read without spaCy (the web app reads which events give which relation)
    from spacy.tokens import Token

TRIGGERS_FILE = Path(__file__).with_name("triggers.toml")
OBJECT_ROLES = {"patient": "patients", "recipient": "recipients", "agent": "agents", "none": None}


@dataclass(frozen=True)
class Trigger:
    """One row of the table, for the lemma that matched it."""

    lemma: str
    type: str
    relation: str | None = None  # the shortcut this trigger names, from agents to `object_role`
    object_role: str | None = "patients"  # the role of an active verb's object: patients, recipients, agents
    nominal: bool = False
    needs_prep: str | None = None
    needs_particle: str | None = None
    object_in: str | None = None
    object_type: str | None = None
    subtree_has: tuple[str, ...] = ()
    no_clause: bool = False

    @property
    def relation_role(self) -> str:
        """Where the relation points: to recipients for what is addressed, else to patients."""
        return "recipients" if self.object_role == "recipients" else "patients"


@dataclass
class Rules:
    """The trigger table and the word lists of `triggers.toml`."""

    verbs: dict[str, list[Trigger]] = field(default_factory=dict)
    nouns: dict[str, Trigger] = field(default_factory=dict)
    self_evident: dict[str, frozenset[str]] = field(default_factory=dict)
    lexicon: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = TRIGGERS_FILE) -> "Rules":
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        types = data["event_types"]
        rules = cls(lexicon={k: frozenset(v) for k, v in data["lexicon"].items()},
                    self_evident={t: frozenset(v.get("self_evident", ())) for t, v in types.items()})
        for kind in ("verb", "noun"):
            for row in data.get(kind, []):
                if row["type"] not in types:
                    raise ValueError(f"{path}: {kind} row {row['lemmas']} has unknown type {row['type']!r}")
                if row.get("object_in") and row["object_in"] not in rules.lexicon:
                    raise ValueError(f"{path}: {kind} row {row['lemmas']} names unknown lexicon {row['object_in']!r}")
                role = OBJECT_ROLES[row.get("object", types[row["type"]].get("object", "patient"))]
                for lemma in row["lemmas"]:
                    trigger = Trigger(lemma=lemma, type=row["type"], relation=row.get("relation"), object_role=role,
                                      nominal=kind == "noun", needs_prep=row.get("needs_prep"),
                                      needs_particle=row.get("needs_particle"), object_in=row.get("object_in"),
                                      object_type=row.get("object_type"),
                                      subtree_has=tuple(row.get("subtree_has", ())), no_clause=row.get("no_clause", False))
                    if kind == "verb":
                        rules.verbs.setdefault(lemma, []).append(trigger)
                    else:
                        rules.nouns[lemma] = trigger
        return rules

    def words(self, name: str) -> frozenset[str]:
        return self.lexicon[name]

    def relation_types(self) -> dict[str, set[str]]:
        """The event types that give each relation shortcut (reportedTo <- Communication, ...)."""
        out: dict[str, set[str]] = {}
        for trigger in [t for ts in self.verbs.values() for t in ts] + list(self.nouns.values()):
            if trigger.relation:
                out.setdefault(trigger.relation, set()).add(trigger.type)
        return out


class TriggerFinder:
    """Whether a token reports an event: a verb row whose conditions hold, or a nominal said to be real.

    `names_under(token)` gives the names in a phrase: the argument reader's, which knows the sentence's
    mentions."""

    def __init__(self, rules: Rules, names_under):
        self.rules = rules
        self.names_under = names_under

    def find(self, token: Token, unreal) -> Trigger | None:
        if token.pos_ in {"VERB", "AUX"} or token.tag_.startswith("VB"):
            return self._verbal(token)
        if token.pos_ in {"NOUN", "PROPN"}:
            return self._nominal(token, unreal)
        return None

    def _verbal(self, token: Token) -> Trigger | None:
        objects = {w for c in token.children if c.dep_ in {"dobj", "nsubjpass", "attr"} for w in (c.lemma_.lower(), c.lower_)}
        if token.dep_ == "relcl" and objects & {"which", "that"}:
            objects.add(token.head.lemma_.lower())  # "a declaration which it sent": what was sent
        for trigger in self.rules.verbs.get(token.lemma_.lower(), ()):
            if self._holds(trigger, token, objects):
                return trigger
        return None

    def _holds(self, t: Trigger, token: Token, objects: set[str]) -> bool:
        children = list(token.children)
        if t.needs_prep and not any(c.dep_ == "prep" and c.lower_ == t.needs_prep for c in children):
            return False
        if t.needs_particle and not any(c.lower_ == t.needs_particle for c in children):
            return False
        if t.object_in and not (objects & self.rules.words(t.object_in)
                                or (t.object_in == "troops" and "Group" in self._object_types(token))):
            return False
        if t.object_type and t.object_type not in self._object_types(token):
            return False
        if t.subtree_has:
            text = " ".join(w.lower_ for w in token.subtree)
            if not any(p in text for p in t.subtree_has):
                return False
        return not (t.no_clause and any(c.dep_ == "ccomp" for c in children))  # "he declared that ...": a statement

    def _object_types(self, token: Token) -> set[str]:
        return {m.type for c in token.children if c.dep_ in {"dobj", "nsubjpass"} for m in self.names_under(c)}

    def _nominal(self, token: Token, unreal) -> Trigger | None:
        trigger = self.rules.nouns.get(token.lower_) or self.rules.nouns.get(token.lemma_.lower())
        if trigger is None:
            return None
        head = token.head
        if head.pos_ == "VERB" and token.dep_ in {"dobj", "nsubjpass"} and unreal(head):
            return None  # "conditions for opening talks": not held yet
        preps = {c.lower_ for c in token.children if c.dep_ == "prep" and self._named_under(c)}
        if preps & self.rules.self_evident.get(trigger.type, frozenset()):
            return trigger
        if token.dep_ in {"pobj", "dobj"} and head.lower_ in self.rules.words("realized_by"):
            return trigger  # "during the disarmament of a gendarmerie post"
        happened = self.rules.words("happened")
        if token.dep_ in {"nsubj", "nsubjpass"} and head.lemma_ in happened:
            return trigger
        if any(t.dep_ == "relcl" and t.lemma_ in happened for t in token.subtree):
            return trigger  # "the disarmament of the platoon ... which occurred in the city of Sarab"
        return None

    def _named_under(self, prep: Token) -> bool:
        """A preposition that governs an actor's name, or troops: "with Pishevari", "of Soviet troops" (not a
        place: "a report from Tabriz" names no one who reported)."""
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        return pobj is not None and (any(m.type != "Place" for m in self.names_under(pobj))
                                     or pobj.lower_ in self.rules.words("troops"))
