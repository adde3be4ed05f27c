"""Roles: the positions people held, as the text states them ("Wall, the British consul in Tabriz",
"our attaché, Colonel Razin", "Prime Minister Qavam"), each with its sentence."""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from extract.arguments import ArgumentReader
from extract.names import ROLE_NOUNS, TITLE_WORDS
from extract.records import Field, Mention, Role, SourceDocument

# Words that may stand between an office and the name of its holder: "Ambassador to Iran Ivan Sadchikov".
OFFICE_GLUE = {"of", "to", "in", "at", "for", "the", "'s", "’s", "-"}
OFFICE_TITLES = {"consul", "vice-consul", "vice consul", "consul general", "ambassador", "minister",
                 "prime minister", "premier", "governor", "secretary", "chairman", "commissar", "president"}


class RoleReader:
    """Reads the roles of the persons named in one parsed piece of text."""

    def __init__(self, document: SourceDocument, field: Field, parsed: Doc, mentions: list[Mention],
                 args: ArgumentReader):
        self.document = document
        self.field = field
        self.doc = parsed
        self.mentions = mentions
        self.args = args
        self.spans = args.spans

    def roles(self) -> list[Role]:
        found = []
        for m in self.mentions:
            span = self.spans.get(id(m))
            if m.type != "Person" or span is None:
                continue
            head = span.root
            for role_token in self._role_phrases(head):
                found.append(self._role(m, role_token))
            if m.title and m.title.lower().rstrip(".") in OFFICE_TITLES:
                found.append(Role(doc_id=self.document.doc_id, n=0, holder=m, role=self._title_role(span, m.title),
                                  evidence=self._sentence_field(head), rule="role:title", confidence=0.8))
            elif not m.title:
                found.extend(self._office_before(m, span))
        return _one_per_office(found)

    def _office_before(self, holder: Mention, span: Span) -> list[Role]:
        """An office written before the name, with its country or body: "Soviet Ambassador to Iran Ivan
        Sadchikov", "Prime Minister of Iran Qavam", "Secretary of the CC of the CP of Azerbaijan Mustafayev"."""
        j = span.start - 1
        while j >= 0 and span.start - j <= 14:
            t = self.doc[j]
            if t.lemma_.lower() in ROLE_NOUNS and self._capitalised(t):
                break
            if any(o is not holder and o.type == "Person" and o.start <= self.field.start + t.idx < o.end
                   for o in self.args.by_token.get(t.i, ())):
                return []  # another person stands between: the office is theirs
            if not (t.lower_ in OFFICE_GLUE or (self._capitalised(t) and t.pos_ in {"PROPN", "ADJ", "NOUN", "VERB"})):
                return []
            j -= 1
        else:
            return []
        office = self.doc[j]
        start = j
        while start > 0 and self._capitalised(self.doc[start - 1]) and self.doc[start - 1].pos_ in {"ADJ", "PROPN"}:
            start -= 1  # "Soviet Ambassador"
        between = [m for m in self.mentions
                   if self.field.start + office.idx < m.start and m.end <= self.field.start + span.start_char]
        role = Role(doc_id=self.document.doc_id, n=0, holder=holder, role=self.doc[start:j + 1].text,
                    evidence=self._sentence_field(office), rule="role:office-before-name", confidence=0.75,
                    place=next((m for m in between if m.type == "Place"), None),
                    organization=next((m for m in between if m.type == "Organization"), None))
        return [role]

    def _role_phrases(self, head: Token) -> list[Token]:
        phrases = [c for c in head.children if c.dep_ in {"appos", "compound"} and c.lemma_.lower() in ROLE_NOUNS]
        if head.dep_ in {"appos", "compound"} and head.head.lemma_.lower() in ROLE_NOUNS:
            phrases.append(head.head)  # "our attaché, Colonel Razin", "Mir Bagirov CC Secretary of the ..."
        i = head.left_edge.i - 1
        while i >= 0 and self.doc[i].lower_.rstrip(".") in TITLE_WORDS:
            i -= 1
        if i >= 1 and self.doc[i].text == ",":  # the same, where the parser missed the apposition
            office = self._office_ending_at(self.doc[i - 1])  # "the Chairman of the Iranian Majlis, Tabatabai"
            if office is not None and office not in phrases:
                phrases.append(office)
        if head.dep_ == "nsubj" and head.head.lemma_ in {"be", "become", "remain"}:
            phrases += [c for c in head.head.children if c.dep_ == "attr" and c.lemma_.lower() in ROLE_NOUNS
                        and c not in phrases]  # "Qavam was Minister of Internal Affairs"
        after = head.doc[head.right_edge.i + 1] if head.right_edge.i + 1 < len(head.doc) else None
        if after is not None and after.lower_ == "as":  # "a visit to Kashani as Chairman of the Majlis"
            phrases += [c for c in after.children if c.dep_ == "pobj" and c.lemma_.lower() in ROLE_NOUNS
                        and c not in phrases]
        if i >= 1 and self.doc[i].text == "(":  # "The Ambassador in Iran (Murray)": the office, then the name
            office = next((t for t in reversed(self.doc[max(0, i - 5):i]) if t.lemma_.lower() in ROLE_NOUNS), None)
            if office is not None and office not in phrases:
                phrases.append(office)
        j = head.right_edge.i + 1 if head.right_edge.i == head.i else head.i + 1
        if j < len(self.doc) and self.doc[j].text == ",":
            j += 1
            while j < len(self.doc) and self.doc[j].pos_ in {"DET", "ADJ", "PROPN"} and self.doc[j].dep_ != "appos":
                j += 1
            if j < len(self.doc) and self.doc[j].lemma_.lower() in ROLE_NOUNS and self.doc[j] not in phrases:
                phrases.append(self.doc[j])  # "Petrovsky, the Soviet consul in Rasht," where the parse broke
        return phrases

    def _capitalised(self, token: Token) -> bool:
        """As written in the file: a title's words are read lowered ("secretary"), but were "Secretary"."""
        return self.field.text[token.idx:token.idx + 1].isupper()

    def _office_ending_at(self, token: Token) -> Token | None:
        """The office noun whose phrase ends with this token: "Chairman" for "... Chairman of the Iranian Majlis"."""
        while True:
            if token.lemma_.lower() in ROLE_NOUNS:
                return token
            if token.dep_ not in {"pobj", "prep", "compound", "amod"} or token.head is token:
                return None
            token = token.head

    def _role(self, holder: Mention, token: Token) -> Role:
        holder_end = self.spans[id(holder)].end if self.spans.get(id(holder)) is not None else 0
        modifiers = [c for c in token.children if c.dep_ in {"amod", "compound"} and holder_end <= c.left_edge.i < token.i]
        words = sorted(modifiers + [token], key=lambda t: t.left_edge.i)
        text = self.doc[words[0].left_edge.i: token.i + 1].text
        of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        role = Role(doc_id=self.document.doc_id, n=0, holder=holder, role=text,
                    evidence=self._sentence_field(token), rule="role:apposition", confidence=0.8)
        if of is not None:
            role.role = self.doc[words[0].i: of.right_edge.i + 1].text
            under = self.args.mentions_under(of)
            role.commands = next((m for m in under if m.type == "Group"), None) if token.lemma_ == "commander" else None
            role.organization = next((m for m in under if m.type == "Organization"), None)
            role.place = next((m for m in under if m.type == "Place"), None)
            inner = [c for c in (of.children) if c.dep_ == "pobj"]
            if inner:  # "the commander of Soviet troops in Tabriz": stop before the place
                pobj = inner[0]
                cut = next((c for c in pobj.children if c.dep_ == "prep"), None)
                if cut is not None:
                    role.role = self.doc[words[0].i: cut.i].text
        for c in token.children:
            if c.dep_ == "prep" and c.lower_ in {"in", "at"}:
                role.place = role.place or next(iter(self.args.places_under(c)), None)
        if of is not None and role.place is None:
            role.place = next(iter(self.args.places_under(of)), None)
        role.role = re.sub(r"^(?:the|our|their|his|a|an)\s+", "", role.role.split(",")[0], flags=re.I).strip(" ,")
        return role

    def _title_role(self, span: Span, title: str) -> str:
        start = span.start - 1
        while start >= 0 and self.doc[start].text != title.split()[0]:
            start -= 1
        j = start - 1
        if j >= 0 and self.doc[j].text == "[":
            j -= 1
        words = [title]
        if j >= 0 and self.doc[j].pos_ in {"ADJ", "PROPN"} and self.doc[j].text[:1].isupper():
            words.insert(0, self.doc[j].text)  # "British Vice-Consul"
        return " ".join(words)

    def _sentence_field(self, token: Token) -> Field:
        s = token.sent
        return Field(self.field.start + s.start_char, self.field.start + s.end_char,
                     self.field.text[s.start_char:s.end_char])


def _one_per_office(roles: list[Role]) -> list[Role]:
    """One statement per holder and office, read by several rules: the first, with the place or body
    another reading adds ("Soviet Ambassador, Sadchikov" and "Ambassador to Iran Sadchikov")."""
    kept: dict[tuple[int, str, int], Role] = {}
    for role in roles:
        key = (id(role.holder), role.role.split()[-1].lower() if role.role else "", role.evidence.start)
        first = kept.setdefault(key, role)
        if first is not role:
            first.place = first.place or role.place
            first.organization = first.organization or role.organization
    return list(kept.values())
