"""Events and roles: what happened, to whom, where and when, each with the sentence it was read from.

Two sources. The structure of a document: a telegram's header ("FROM BAKU 20 November 1945"), its
addressee lines and the archive's title ("M.D. Bagriov and I.I. Maslennikov to Cdes. Stalin, ...")
each say part of one communication. And the sentences: a trigger verb or noun from `TRIGGERS`, its
participants read off spaCy's dependency parse in either voice ("X disarmed Y", "Y was disarmed by
X", "during the disarmament of Y"), coordination followed, "the latter" and "he"/"they" resolved to
the nearest fitting name in the same paragraph or left out. A sentence the rules cannot read yields
no event rather than a wrong one: hypothetical, negated and intended actions are skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extract.dates import find_date, find_dates
from extract.names import TITLE_WORDS
from extract.records import Event, Field, Mention, Role, SourceDocument

ACTOR_TYPES = {"Person", "Organization", "Group"}
ADDRESSED = {"Communication", "Request", "Order", "Meeting"}  # their objects are addressees, not patients


@dataclass(frozen=True)
class Trigger:
    type: str
    relation: str | None  # the shortcut from agents to patients (or recipients)
    to_recipients: bool = False  # the shortcut goes to recipients, not patients


# Verb lemmas -> the event they report.
TRIGGERS = {
    "disarm": Trigger("Disarmament", "disarmed"),
    "arrest": Trigger("Arrest", "arrested"), "detain": Trigger("Arrest", "arrested"),
    "kill": Trigger("Killing", "killed"), "liquidate": Trigger("Killing", "killed"),
    "murder": Trigger("Killing", "killed"), "execute": Trigger("Killing", "killed"),
    "shoot": Trigger("Attack", "attacked"),
    "attack": Trigger("Attack", "attacked"), "assault": Trigger("Attack", "attacked"),
    "surround": Trigger("Attack", "attacked"), "encircle": Trigger("Attack", "attacked"),
    "raid": Trigger("Attack", "attacked"), "bomb": Trigger("Attack", "attacked"),
    "arrive": Trigger("TroopMovement", None), "advance": Trigger("TroopMovement", None),
    "approach": Trigger("TroopMovement", None), "march": Trigger("TroopMovement", None),
    "withdraw": Trigger("TroopMovement", None), "enter": Trigger("TroopMovement", None),
    "dispatch": Trigger("TroopMovement", None),
    "elect": Trigger("Election", None), "choose": Trigger("Election", None),
    "declare": Trigger("Declaration", None), "proclaim": Trigger("Declaration", None),
    "adopt": Trigger("Declaration", None), "announce": Trigger("Declaration", None),
    "request": Trigger("Request", "appealedTo", True), "ask": Trigger("Request", "appealedTo", True),
    "beg": Trigger("Request", "appealedTo", True),
    "appeal": Trigger("Communication", "appealedTo", True),
    "order": Trigger("Order", "ordered", True), "instruct": Trigger("Order", "ordered", True),
    "charge": Trigger("Order", "ordered", True), "entrust": Trigger("Order", "ordered", True),
    "approve": Trigger("Declaration", None),
    "meet": Trigger("Meeting", "metWith", True), "visit": Trigger("Meeting", "metWith", True),
    "talk": Trigger("Meeting", "metWith", True), "converse": Trigger("Meeting", "metWith", True),
    "flee": Trigger("Flight", None), "escape": Trigger("Flight", None), "scatter": Trigger("Flight", None),
    "seize": Trigger("Seizure", None), "capture": Trigger("Seizure", None), "occupy": Trigger("Seizure", None),
    "confiscate": Trigger("Seizure", None),
    "report": Trigger("Communication", "reportedTo", True), "inform": Trigger("Communication", "reportedTo", True),
    "telegraph": Trigger("Communication", "reportedTo", True), "advise": Trigger("Communication", "sentMessageTo", True),
    "complain": Trigger("Communication", "sentMessageTo", True),
    "suggest": Trigger("Communication", "sentMessageTo", True), "propose": Trigger("Communication", "sentMessageTo", True),
}
# Verbs whose event depends on what they govern: "turned to X", "sent troops", "introduced martial law".
TURN = Trigger("Communication", "appealedTo", True)  # "X turned to Y for permission"
SEND_TROOPS = Trigger("TroopMovement", None)
SEND_MESSAGE = Trigger("Communication", "sentMessageTo", True)
GIVE_ORDER = Trigger("Order", "ordered", True)
MARTIAL_LAW = Trigger("MartialLaw", None)
HOLD_MEETING = Trigger("Meeting", None)
# Nouns that report an event when it is said to have taken place ("during the disarmament of ...").
NOMINALS = {"disarmament": TRIGGERS["disarm"], "arrest": TRIGGERS["arrest"], "killing": TRIGGERS["kill"],
            "murder": TRIGGERS["kill"], "attack": TRIGGERS["attack"], "clash": TRIGGERS["attack"],
            "firefight": TRIGGERS["attack"], "skirmish": TRIGGERS["attack"], "election": TRIGGERS["elect"],
            "meeting": Trigger("Meeting", "metWith", True), "conversation": Trigger("Meeting", "metWith", True),
            "talks": Trigger("Meeting", "metWith", True), "negotiations": Trigger("Meeting", "metWith", True),
            "withdrawal": Trigger("TroopMovement", None), "advance": Trigger("TroopMovement", None),
            "capture": TRIGGERS["seize"], "seizure": TRIGGERS["seize"]}
# Nominals that report a past event by their company alone: a meeting "with" or "between" named people,
# a clash "between" two sides, a withdrawal "of" troops.
SELF_EVIDENT = {"Meeting": {"with", "between"}, "Attack": {"between"}, "TroopMovement": {"of"}}
REALIZED_BY = {"during", "after", "following", "since", "about"}  # prepositions that make a nominal event real
TROOP_WORDS = {"troops", "soldiers", "detachment", "detachments", "battalion", "battalions", "company",
               "companies", "platoon", "division", "units", "unit", "gendarmes", "partisans", "forces",
               "army", "regiment", "brigade", "reinforcements", "men", "fighters", "guerillas", "operatives"}
MESSAGE_WORDS = {"message", "letter", "telegram", "report", "declaration", "appeal", "information", "note",
                 "representatives", "request", "reply", "text", "memo", "proposal", "instructions"}
ORDER_WORDS = {"order", "orders", "task", "instruction", "instructions", "directive", "command"}
DECLARED = {"law", "appeal", "declaration", "resolution", "decision", "statute", "budget", "communique",
            "constitution", "program", "programme", "manifesto", "proclamation"}
MODALS = {"might", "may", "could", "would", "should", "can", "must", "will", "shall"}
INTENT_HEADS = {"intend", "want", "plan", "try", "decide", "purpose", "wish", "propose", "hope", "aim", "expect",
                "refuse", "threaten", "prepare", "agree", "permission", "order", "request", "ask", "demand"}
PRONOUNS = {"he": {"Person"}, "him": {"Person"}, "she": {"Person"}, "her": {"Person"},
            "they": {"Group", "Organization"}, "them": {"Group", "Organization"}, "it": {"Organization"}}
LATTER = {"latter"}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "hundred": 100}
# Nouns of office: an apposition or compound with one of these states a role ("the British consul in Tabriz").
ROLE_NOUNS = {"consul", "vice-consul", "attaché", "attache", "ambassador", "minister", "commander", "deputy",
              "chairman", "governor", "secretary", "commissar", "commandant", "chief", "head", "leader",
              "organizer", "president", "premier", "director", "representative"}
OFFICE_TITLES = {"consul", "vice-consul", "vice consul", "consul general", "ambassador", "minister",
                 "prime minister", "premier", "governor", "secretary", "chairman", "commissar", "president"}

# ---------------------------------------------------------------------------------------------------
# Communications from the structure of the document

COMMUNICATION_NOUNS = {"telegram", "message", "letter", "memo", "memorandum", "report", "cable", "note",
                       "decree", "directive", "order", "instruction", "instructions", "resolution",
                       "dispatch", "despatch", "telephonogram", "information", "radiogram", "notes"}
DIRECTIVE_NOUNS = {"decree", "directive", "order", "instruction", "instructions", "resolution"}
# Words after which the rest of a title is its subject, not its senders and recipients.
TOPIC_WORDS = {"on", "about", "regarding", "concerning", "containing", "forwarding", "with", "re", "in",
               "for", "between", "describing"}
GLUE_WORDS = {"and", "the", ",", ";", "[", "]"} | TITLE_WORDS


def _words(text: str) -> list[str]:
    return [w.lower().rstrip(".") for w in re.findall(r"[\w’'-]+\.?|[“”\"‘']", text)]


def _same_kind(a: Mention, b: Mention) -> bool:
    return (a.type == "Place") == (b.type == "Place")


def title_roles(title: Field, mentions: list[Mention]) -> tuple[str | None, dict[int, str]]:
    """Read "X from A to B" titles: the communication noun and, per mention index, "sender" or "recipient".

    A mention's role comes from the word just before it ("from", "to", "report of", "by"), or from the
    mention before it when only list glue stands between ("Stalin, Molotov, and Beria"), or, for names
    that open a title, from a "to" after them ("Bagirov and Maslennikov to Cdes. ..."). Once a title
    turns to its subject ("on", "about", a quotation) no more roles are read.
    """
    inside = [m for m in mentions if title.start <= m.start and m.end <= title.end]
    roles: dict[int, str] = {}
    noun = next((w for w in _words(title.text) if w in COMMUNICATION_NOUNS), None)
    if not noun:
        return None, roles
    prev_end, prev = title.start, None
    for i, m in enumerate(inside):
        gap = _words(title.text[prev_end - title.start: m.start - title.start])
        meaningful = [w for w in gap if w not in GLUE_WORDS]
        if any(w in TOPIC_WORDS or w in {"“", '"', "‘", "'"} for w in meaningful) and not (
                meaningful and meaningful[-1] in {"from", "to", "by"} and not set(meaningful[:-1]) & TOPIC_WORDS):
            break
        role = None
        if meaningful and meaningful[-1] in {"from", "by"}:
            role = "sender"
        elif meaningful and meaningful[-1] == "to":
            role = "recipient"
        elif meaningful and meaningful[-1] == "of" and len(meaningful) > 1 and meaningful[-2] in COMMUNICATION_NOUNS:
            role = "sender"
        elif not meaningful and prev is not None and _same_kind(prev, m) and (i - 1) in roles:
            role = roles[i - 1]
        elif not meaningful or set(meaningful) <= COMMUNICATION_NOUNS | {"deciphered", "no"}:
            role = _role_from_what_follows(title, inside, i)
        after = title.text[m.end - title.start:]
        if role is None and m.type in ACTOR_TYPES and re.match(r"(?:'s|’s)\s", after) and not roles:
            role = "sender"  # "George Kennan's 'Long Telegram'"
        if role is None and i == 0 and m.type == "Person" and after.startswith(",") and not meaningful_before(title, m):
            role = "sender"  # "General-Major Yemel’yanov, People’s Commissar ..., 'Memo on ...'": the author
        if role:
            roles[i] = role
        prev_end, prev = m.end, m
    return noun, {mentions.index(inside[i]): r for i, r in roles.items()}


def meaningful_before(title: Field, m: Mention) -> list[str]:
    return [w for w in _words(title.text[: m.start - title.start]) if w not in GLUE_WORDS]


def _role_from_what_follows(title: Field, inside: list[Mention], i: int) -> str | None:
    """"Bagirov and Maslennikov to Cdes. Stalin": names followed (through a list) by "to" are senders."""
    j = i
    while j + 1 < len(inside):
        gap = [w for w in _words(title.text[inside[j].end - title.start: inside[j + 1].start - title.start])
               if w not in GLUE_WORDS]
        if gap:
            return "sender" if gap[0] == "to" and inside[i].type in ACTOR_TYPES else None
        if not _same_kind(inside[j], inside[j + 1]):
            return None
        j += 1
    return None


def communication_event(document: SourceDocument, mentions: list[Mention]) -> Event | None:
    """The communication a document is: senders from its title, recipients from its addressee lines
    (else from its title), origin and date from its header (else the archive's date)."""
    mine = [m for m in mentions if m.doc_id == document.doc_id]
    noun, roles = title_roles(document.title, mine) if document.title else (None, {})
    header_mentions = [m for m in mine if document.header and document.header.start <= m.start < document.header.end]
    addressed = [m for m in mine if any(f.start <= m.start < f.end for f in document.addressees)]
    if not (roles or (document.header and re.match(r"\s*from\b", document.header.text, re.I)) or addressed):
        return None
    event = Event(doc_id=document.doc_id, n=0, type="Order" if noun in DIRECTIVE_NOUNS else "Communication",
                  rule="document-structure", confidence=0.9,
                  evidence=document.title if roles else (document.header or document.addressees[0]),
                  trigger=noun or "telegram")
    for i, role in roles.items():
        m = mine[i]
        if m.type == "Place":
            if role == "sender":
                event.origin = event.origin or m
            else:
                event.destination = event.destination or m
        elif role == "sender":
            event.agents.append(m)
        elif not addressed:
            event.recipients.append(m)
    for m in addressed:
        if m.type == "Place":
            event.destination = event.destination or m
        elif m.type in ACTOR_TYPES:
            event.recipients.append(m)
    for m in header_mentions:
        if m.type == "Place":
            event.origin = m
    when = find_date(document.header.text) if document.header else None
    if when:
        event.date_iso, event.date_precision, event.date_text = when.iso, when.precision, when.text
    elif document.date_iso:
        event.date_iso = document.date_iso
        event.date_precision = {10: "day", 7: "month", 4: "year"}[len(document.date_iso)]
        event.date_text = document.date.text if document.date else None
    return event if (event.agents or event.recipients or (noun and (event.origin or event.destination))) else None


# ---------------------------------------------------------------------------------------------------
# Events from sentences


class SentenceReader:
    """Reads the events and roles of one parsed piece of text (a title, a paragraph, a summary)."""

    def __init__(self, document: SourceDocument, field: Field, parsed: Doc, mentions: list[Mention],
                 paragraph_mentions: list[Mention]):
        self.document = document
        self.field = field
        self.doc = parsed
        self.mentions = mentions
        self.earlier = paragraph_mentions  # names of this paragraph, for "he", "they", "the latter"
        self.spans = {id(m): parsed.char_span(m.start - field.start, m.end - field.start, alignment_mode="expand")
                      for m in mentions}

    def events(self) -> list[Event]:
        found: dict[tuple[int, str], Event] = {}
        for token in self.doc:
            trigger = self._trigger(token)
            if trigger is None or self._unreal(token):
                continue
            event = self._read(token, trigger)
            if event is None:
                continue
            key = (event.evidence.start, event.type)
            if key in found:
                _merge(found[key], event)
            else:
                found[key] = event
        return list(found.values())

    # ------------------------------------------------------------------ triggers
    def _trigger(self, token: Token) -> Trigger | None:
        lemma = token.lemma_.lower()
        if token.pos_ in {"VERB", "AUX"} or token.tag_.startswith("VB"):
            objects = {w for c in token.children if c.dep_ in {"dobj", "nsubjpass", "attr"} for w in (c.lemma_.lower(), c.lower_)}
            if token.dep_ == "relcl" and objects & {"which", "that"}:
                objects.add(token.head.lemma_.lower())  # "a declaration which it sent": what was sent
            if lemma == "turn" and any(c.dep_ == "prep" and c.lower_ == "to" for c in token.children):
                return TURN
            if lemma in {"send", "bring", "move", "transfer", "lead"}:
                if objects & TROOP_WORDS or self._governs_group(token):
                    return SEND_TROOPS
                if objects & MESSAGE_WORDS:
                    return SEND_MESSAGE
                return None
            if lemma in {"give", "issue"} and objects & ORDER_WORDS:
                return GIVE_ORDER
            if lemma in {"introduce", "declare", "impose", "proclaim"} and self._names(token, "martial law", "curfew"):
                return MARTIAL_LAW
            if lemma == "prohibit" and self._names(token, "travel", "movement"):
                return MARTIAL_LAW
            if lemma == "hold" and objects & {"meeting", "talks", "conversation", "conference", "negotiations"}:
                return HOLD_MEETING
            if lemma == "pass" and any(c.lower_ == "through" for c in token.children):
                return SEND_TROOPS
            if lemma == "open" and "fire" in objects:
                return TRIGGERS["attack"]
            if lemma in {"declare", "announce"} and any(c.dep_ == "ccomp" for c in token.children):
                return None  # "he declared that ...": a statement, not a declaration
            return TRIGGERS.get(lemma)
        if token.pos_ in {"NOUN", "PROPN"} and token.lower_ in NOMINALS and lemma not in NOMINALS:
            lemma = token.lower_  # "talks", "negotiations" keep their plural as the trigger
        if token.pos_ in {"NOUN", "PROPN"} and lemma in NOMINALS:
            head = token.head
            trigger = NOMINALS[lemma]
            if head.pos_ == "VERB" and token.dep_ in {"dobj", "nsubjpass"} and self._unreal(head):
                return None  # "conditions for opening talks": not held yet
            preps = {c.lower_ for c in token.children if c.dep_ == "prep" and self._named_under(c)}
            if preps & SELF_EVIDENT.get(trigger.type, set()):
                return trigger
            if token.dep_ == "pobj" and head.lower_ in REALIZED_BY:
                return trigger  # "during the disarmament of a gendarmerie post"
            if token.dep_ in {"nsubj", "nsubjpass"} and head.lemma_ in {"occur", "take", "break", "happen"}:
                return trigger
            if any(t.dep_ == "relcl" and t.lemma_ in {"occur", "happen", "take"} for t in token.subtree):
                return trigger  # "the disarmament of the platoon ... which occurred in the city of Sarab"
        return None

    def _named_under(self, prep: Token) -> bool:
        """A preposition that governs a name, or troops: "with Pishevari", "of Soviet troops"."""
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        return pobj is not None and (bool(self._mentions_under(pobj)) or pobj.lower_ in TROOP_WORDS)

    def _names(self, token: Token, *phrases: str) -> bool:
        text = " ".join(t.lower_ for t in token.subtree)
        return any(p in text for p in phrases)

    def _governs_group(self, token: Token) -> bool:
        return any(m.type == "Group" for c in token.children if c.dep_ in {"dobj", "nsubjpass"}
                   for m in self._mentions_under(c))

    def _unreal(self, token: Token) -> bool:
        """Hypothetical, negated, intended or requested: not something that happened."""
        children = list(token.children)
        if any(c.dep_ == "neg" for c in children) or any(c.lower_ in MODALS for c in children if c.dep_ == "aux"):
            return True
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in children):
            return True  # "to send", "to help": purposes and requests, not deeds
        clause = token
        while clause.dep_ in {"xcomp", "ccomp", "acl", "advcl", "pcomp", "pobj"} and clause.head.i < clause.i:
            head = clause.head
            if head.lemma_.lower() in INTENT_HEADS or any(c.dep_ == "aux" and c.lower_ == "to" for c in head.children):
                return True  # "decided to send", "permission to let these troops pass"
            clause = head
        if token.dep_ in {"pcomp", "pobj"} and token.head.lower_ in {"of", "for"} and token.head.head.lower_ == "purpose":
            return True
        if token.tag_ == "VBG" and token.dep_ in {"pcomp", "acl"} and token.head.lemma_.lower() not in COMMUNICATION_NOUNS:
            return True  # "for the purpose of arresting them"; but "Message requesting paper" is the message
        clause = token
        while clause.dep_ == "conj":
            clause = clause.head
        return any(c.lower_ in {"if", "unless", "whether"} for c in clause.children if c.dep_ == "mark")

    # ------------------------------------------------------------------ participants
    def _read(self, token: Token, trigger: Trigger) -> Event | None:
        sentence = token.sent
        evidence = Field(self.field.start + sentence.start_char, self.field.start + sentence.end_char,
                         self.field.text[sentence.start_char:sentence.end_char])
        event = Event(doc_id=self.document.doc_id, n=0, type=trigger.type, evidence=evidence,
                      rule=f"sentence:{trigger.type.lower()}", confidence=0.8, trigger=self._trigger_text(token))
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in token.children)
        used: set[int] = set()
        for child in token.children:
            dep = child.dep_
            if token.pos_ in {"NOUN", "PROPN"}:  # nominal: "the disarmament of a gendarmerie post"
                if dep == "prep" and child.lower_ == "of" and trigger.type == "TroopMovement":
                    self._add(event.agents, child, used, event)
                elif dep == "prep" and child.lower_ == "of":
                    self._add(event.patients, child, used, event)
                elif dep == "prep" and child.lower_ in {"with"}:
                    self._add(event.recipients, child, used, event)
                elif dep == "prep" and child.lower_ == "between":
                    self._add(event.agents, child, used, event)
                elif dep == "poss":
                    self._add(event.agents, child, used, event)
                elif dep == "prep" and child.lower_ == "by":
                    self._add(event.agents, child, used, event)
                continue
            if dep in {"nsubj"} and not passive:
                self._add(event.agents, child, used, event)
            elif dep == "agent" or (dep == "prep" and child.lower_ == "by" and passive):
                self._add(event.agents, child, used, event)
            elif dep in {"dobj", "nsubjpass"} and trigger is HOLD_MEETING:
                self._add(event.agents, child, used, event)  # "a meeting of the National Committee was held"
            elif dep in {"dobj", "nsubjpass"} and trigger.type in ADDRESSED:
                self._add(event.recipients, child, used, event)  # "asked Pishevari", "ordered the gendarmes"
            elif dep in {"dobj", "nsubjpass"} and trigger.type != "Declaration":
                self._add(event.patients, child, used, event)
            elif dep == "npadvmod" and child.pos_ == "PROPN":
                # the parser's slip on foreign names: "turned to our attaché, Colonel Razin," (an apposition)
                # or "liquidated Ali Olovii" (an object)
                before = self.doc[child.left_edge.i - 1] if child.left_edge.i > 0 else None
                if before is not None and before.text == "," and event.recipients:
                    self._add(event.recipients, child, used, event)
                elif not any(c.dep_ == "dobj" for c in token.children):
                    self._add(event.recipients if trigger.type in ADDRESSED else event.patients, child, used, event)
            elif dep == "dative":
                self._add(event.recipients, child, used, event)
            elif dep == "prep" and child.lower_ in {"to", "with"} and trigger.type in {
                    "Request", "Communication", "Order", "Meeting"}:
                self._add(event.recipients, child, used, event)
            elif dep == "prep" and child.lower_ in {"to", "into", "toward", "towards"}:
                event.destination = event.destination or next(iter(self._places_under(child)), None)
            elif dep == "prep" and child.lower_ in {"in", "at", "near", "outside", "inside"}:
                event.places.extend(m for m in self._places_under(child) if m not in event.places)
        if token.dep_ == "acl" and token.tag_ == "VBN" and not event.patients:
            self._add(event.patients, token.head, used, event)  # "the government chosen by the Majlis"
        if token.dep_ == "conj" and not passive and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in token.children):
            head = token.head  # "set up posts ... and began": the subject of the first verb
            for c in head.children:
                if c.dep_ == "nsubj":
                    self._add(event.agents, c, used, event)
        if trigger.type == "Election" and not event.patients:
            return None
        if trigger.type == "Election":
            bodies = {m.name: m for m in self.mentions if m.type == "Organization" and evidence.start <= m.start < evidence.end
                      and m not in event.agents + event.patients}
            event.elected_to = next(iter(bodies.values())) if len(bodies) == 1 else None
        if trigger.type == "TroopMovement" and not (any(m.type == "Group" for m in event.agents + event.patients)
                                                    or self._moves_troops(token)):
            return None  # a person arriving is a journey, not a troop movement
        if token.dep_ == "acl" and token.tag_ == "VBG" and token.head.lemma_.lower() in COMMUNICATION_NOUNS:
            event.agents_as_written.append(token.head.text)  # "Message requesting paper": the message asks
        if not (event.agents or event.patients or event.recipients or self._stands_alone(token, trigger)
                or (event.agents_as_written and trigger.type in {"Communication", "Request", "Order"})):
            return None
        if not event.places and token.pos_ in {"NOUN", "PROPN"}:
            event.places = self._located_in(token)  # "the disarmament of a gendarmerie post in the city of Sarab"
        if not event.places and token.dep_ == "relcl" and any(c.lower_ == "where" for c in token.children):
            event.places = self._places_under(token.head)[:1]  # "the city of Sarab, where ... was killed"
        dates = find_dates(evidence.text, self.document.date_iso)
        at = token.idx - sentence.start_char
        when = min(dates, key=lambda d: min(abs(d.start - at), abs(d.end - at))) if dates else None
        if when:
            event.date_iso, event.date_precision, event.date_text = when.iso, when.precision, when.text
            event.date_warning = when.warning
        if event.resolved_by:
            event.confidence = 0.6
        return event

    def _moves_troops(self, token: Token) -> bool:
        """"The operatives and guerillas are being sent", "withdrawal of troops": troops, named or not."""
        heads = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass", "dobj"}]
        heads += [p for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children if p.dep_ == "pobj"]
        return any(t.lower_ in TROOP_WORDS for h in heads for t in [h, *[c for c in h.children if c.dep_ == "conj"]])

    def _stands_alone(self, token: Token, trigger: Trigger) -> bool:
        """An event worth keeping without a named participant: "a law has been adopted", "we have given an order"."""
        objects = {c.lemma_.lower() for c in token.children if c.dep_ in {"dobj", "nsubjpass"}}
        if trigger.type == "Declaration" and objects & DECLARED:
            return True
        if trigger.type == "TroopMovement" and self._moves_troops(token):
            return True
        return trigger.type in {"Order", "Request"} and any(c.dep_ == "nsubj" and c.lower_ == "we" for c in token.children)

    def _trigger_text(self, token: Token) -> str:
        words = [token] + [c for c in token.children if c.dep_ in {"prt", "neg"} or (
            c.dep_ == "dobj" and c.lemma_.lower() in {"fire", "law", "order", "task"})]
        return " ".join(t.text for t in sorted(words, key=lambda t: t.i))

    def _mentions_under(self, token: Token) -> list[Mention]:
        """The names in a participant's phrase, following coordination and appositions but not clauses."""
        keep = {token.i}
        stack = [token]
        while stack:
            t = stack.pop()
            for c in t.children:
                if c.dep_ == "acl" and c.lemma_.lower() in {"compose", "consist", "include"}:
                    keep.add(c.i)  # "a presidium composed of Shabestari, Rafii, ..."
                    stack.append(c)
                    continue
                if c.dep_ in {"relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "cc"}:
                    continue
                if c.dep_ == "appos" and not self._is_name(c):
                    continue  # "Ranuma, the secretary of the Seyyed Ziaeddin organization": not Seyyed Ziaeddin
                if c.dep_ == "prep" and c.lower_ not in {"of"}:
                    continue  # "a detachment of 300 gendarmes from the city of Zanjan": Zanjan is not acted on
                keep.add(c.i)
                stack.append(c)
        return [m for m in self.mentions if self.spans.get(id(m)) is not None
                and any(t.i in keep for t in self.spans[id(m)])]

    def _located_in(self, token: Token) -> list[Mention]:
        """Places an "in", "at" or "near" anywhere in a noun phrase names, clauses left out."""
        found, stack = [], [token]
        while stack:
            t = stack.pop()
            for c in t.children:
                if c.dep_ in {"relcl", "acl", "advcl", "ccomp", "xcomp"}:
                    continue
                if c.dep_ == "prep" and c.lower_ in {"in", "at", "near"}:
                    found.extend(m for m in self._places_under(c) if m not in found)
                stack.append(c)
        return found

    def _is_name(self, token: Token) -> bool:
        return any(token.i in {t.i for t in span} for span in self.spans.values() if span is not None)

    def _places_under(self, token: Token) -> list[Mention]:
        """The places a preposition governs: "in the city of Sarab", not a clause inside it."""
        if token.dep_ in {"prep", "agent"}:
            token = next((c for c in token.children if c.dep_ == "pobj"), token)
        return [m for m in self._mentions_under(token) if m.type == "Place"]

    def _add(self, role: list[Mention], token: Token, used: set[int], event: Event) -> None:
        target = token
        if token.dep_ in {"prep", "agent"}:
            target = next((c for c in token.children if c.dep_ == "pobj"), None)
            if target is None:
                return
        if target.lower_ in {"who", "which", "that"} and target.head.dep_ == "relcl":
            target = target.head.head  # "Jamshid Keshaverz, who ... asked Pishevari"
        found = [m for m in self._mentions_under(target) if m.type in ACTOR_TYPES]
        if not found:
            antecedent = self._antecedent(target, event)
            if antecedent:
                event.resolved_by[id(antecedent)] = target.text
                found = [antecedent]
            elif role is event.agents and target.pos_ in {"NOUN", "PROPN"}:
                phrase = self.doc[target.left_edge.i: target.right_edge.i + 1].text
                event.agents_as_written.append(phrase)
        for m in found:
            if id(m) not in used:
                used.add(id(m))
                role.append(m)

    def _antecedent(self, token: Token, event: Event) -> Mention | None:
        """"he", "they", "the latter": the nearest fitting name before it in the paragraph, never further."""
        word = token.lower_
        if word in PRONOUNS:
            types = PRONOUNS[word]
        elif word in LATTER or any(c.lower_ in LATTER for c in token.children):
            types = ACTOR_TYPES
        else:
            return None
        position = self.field.start + token.idx
        taken = {id(m) for m in event.agents + event.patients + event.recipients}
        candidates = [m for m in self.earlier if m.end <= position and m.type in types and id(m) not in taken]
        if word in PRONOUNS:  # "he", "they": the nearest earlier subject of that kind, or no one
            candidates = [m for m in candidates if self._is_subject(m)]
        return candidates[-1] if candidates else None

    def _is_subject(self, m: Mention) -> bool:
        span = self.spans.get(id(m))
        if span is None:
            return False
        t = span.root
        while t.dep_ in {"conj", "appos", "compound"}:
            t = t.head
        return t.dep_ in {"nsubj", "nsubjpass"}

    # ------------------------------------------------------------------ roles
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
        return found

    def _role_phrases(self, head: Token) -> list[Token]:
        phrases = [c for c in head.children if c.dep_ in {"appos", "compound"} and c.lemma_.lower() in ROLE_NOUNS]
        if head.dep_ == "appos" and head.head.lemma_.lower() in ROLE_NOUNS:
            phrases.append(head.head)  # "our attaché, Colonel Razin"
        i = head.left_edge.i - 1
        while i >= 0 and self.doc[i].lower_.rstrip(".") in TITLE_WORDS:
            i -= 1
        if i >= 1 and self.doc[i].text == "," and self.doc[i - 1].lemma_.lower() in ROLE_NOUNS \
                and self.doc[i - 1] not in phrases:
            phrases.append(self.doc[i - 1])  # the same, where the parser missed the apposition
        j = head.right_edge.i + 1 if head.right_edge.i == head.i else head.i + 1
        if j < len(self.doc) and self.doc[j].text == ",":
            j += 1
            while j < len(self.doc) and self.doc[j].pos_ in {"DET", "ADJ", "PROPN"} and self.doc[j].dep_ != "appos":
                j += 1
            if j < len(self.doc) and self.doc[j].lemma_.lower() in ROLE_NOUNS and self.doc[j] not in phrases:
                phrases.append(self.doc[j])  # "Petrovsky, the Soviet consul in Rasht," where the parse broke
        return phrases

    def _role(self, holder: Mention, token: Token) -> Role:
        modifiers = [c for c in token.children if c.dep_ in {"amod", "compound"} and c.i < token.i]
        words = sorted(modifiers + [token], key=lambda t: t.i)
        text = self.doc[words[0].i: token.i + 1].text
        of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        role = Role(doc_id=self.document.doc_id, n=0, holder=holder, role=text,
                    evidence=self._sentence_field(token), rule="role:apposition", confidence=0.8)
        if of is not None:
            role.role = self.doc[words[0].i: of.right_edge.i + 1].text
            under = self._mentions_under(of)
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
                role.place = role.place or next(iter(self._places_under(c)), None)
        if of is not None and role.place is None:
            role.place = next(iter(self._places_under(of)), None)
        role.role = re.sub(r"^(?:the|our|their|his|a|an)\s+", "", role.role, flags=re.I).strip(" ,")
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


def _merge(into: Event, other: Event) -> None:
    for role in ("agents", "patients", "recipients", "places"):
        mine = getattr(into, role)
        mine.extend(m for m in getattr(other, role) if m not in mine)
    into.agents_as_written.extend(a for a in other.agents_as_written if a not in into.agents_as_written)
    into.destination = into.destination or other.destination
    into.resolved_by.update(other.resolved_by)
    into.confidence = min(into.confidence, other.confidence)
    if other.trigger not in into.trigger:
        into.trigger = f"{into.trigger}; {other.trigger}"


def counts_of(event: Event, parsed: Doc, field: Field) -> None:
    """"300 gendarmes", "two battalions": numbers on the participants' nouns."""
    for m in event.patients + event.agents:
        span = parsed.char_span(m.start - field.start, m.end - field.start, alignment_mode="expand")
        if span is None:
            continue
        for t in [span.root, span.root.head]:
            for c in t.children:
                if c.dep_ == "nummod":
                    value = int(c.text.replace(",", "")) if c.text.replace(",", "").isdigit() else NUMBER_WORDS.get(c.lower_)
                    if value:
                        event.counts[t.lower_] = value


def shortcuts(event: Event) -> list[tuple[str, str, str]]:
    """The direct relations an event supports, by entity key: (subject, "disarmed", object)."""
    if event.rule == "document-structure":
        relations = ["sentMessageTo", "ordered" if event.trigger in DIRECTIVE_NOUNS else "reportedTo"]
        objects = event.recipients
    elif event.type == "Election":
        return [(m.entity, "electedTo", event.elected_to.entity) for m in event.patients
                if event.elected_to and m.entity and event.elected_to.entity and m.type == "Person"]
    else:
        trigger = next((t for t in [*TRIGGERS.values(), TURN, SEND_MESSAGE, GIVE_ORDER]
                        if t.type == event.type and t.relation), None)
        if trigger is None:
            return []
        relations = [trigger.relation]
        objects = event.recipients if trigger.to_recipients else event.patients
    pairs = []
    for a in event.agents:
        for o in objects:
            if a.entity and o.entity and a.entity != o.entity:
                pairs.extend((a.entity, r, o.entity) for r in relations)
    return list(dict.fromkeys(pairs))


def role_shortcuts(role: Role) -> list[tuple[str, str, str]]:
    if role.commands and role.holder.entity and role.commands.entity:
        return [(role.holder.entity, "commanded", role.commands.entity)]
    return []


def number_events(events: list[Event], roles: list[Role]) -> None:
    """Events and roles numbered in reading order within their document: the numbers make their IRIs."""
    for items in (events, roles):
        by_doc: dict[str, int] = {}
        for item in sorted(items, key=lambda x: (x.doc_id, x.evidence.start, getattr(x, "type", ""))):
            by_doc[item.doc_id] = by_doc.get(item.doc_id, 0) + 1
            item.n = by_doc[item.doc_id]
