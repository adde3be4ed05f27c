"""The reality filter: a trigger that is hypothetical, negated, intended or requested reports nothing
that happened ("might complicate", "did not intend to send", "asked them to disarm")."""
from __future__ import annotations

from spacy.tokens import Token

from extract.triggers import Rules

CLAUSE_LINKS = {"xcomp", "ccomp", "acl", "advcl", "pcomp", "pobj"}


class RealityFilter:
    def __init__(self, rules: Rules, communication_nouns: frozenset[str]):
        self.modals = rules.words("modals")
        self.intent_heads = rules.words("intent_heads")
        self.conditions = rules.words("conditions")
        self.communication_nouns = communication_nouns

    def unreal(self, token: Token) -> bool:
        children = list(token.children)
        if any(c.dep_ == "neg" for c in children) or any(c.lower_ in self.modals for c in children if c.dep_ == "aux"):
            return True
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in children):
            return True  # "to send", "to help": purposes and requests, not deeds
        clause = token
        while clause.dep_ in CLAUSE_LINKS and clause.head.i < clause.i:
            head = clause.head
            if head.lemma_.lower() in self.intent_heads or any(c.dep_ == "aux" and c.lower_ == "to" for c in head.children):
                return True  # "decided to send", "permission to let these troops pass"
            clause = head
        if token.dep_ in {"pcomp", "pobj"} and token.head.lower_ in {"of", "for"} and token.head.head.lower_ == "purpose":
            return True
        if token.tag_ == "VBG" and token.dep_ in {"pcomp", "acl"} and token.head.lemma_.lower() not in self.communication_nouns:
            return True  # "for the purpose of arresting them"; but "Message requesting paper" is the message
        clause = token
        while clause.dep_ == "conj":
            clause = clause.head
        return any(c.lower_ in self.conditions for c in clause.children if c.dep_ == "mark")
