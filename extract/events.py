"""Events: what happened, to whom, where and when, each with the sentence it was read from.

Two sources. The structure of a document: a telegram's header ("FROM BAKU 20 November 1945"), its
addressee lines and the archive's title ("M.D. Bagriov and I.I. Maslennikov to Cdes. Stalin, ...")
each say part of one communication. And the sentences, read by small parts: `triggers` (which word
reports an event, from the table in triggers.toml), `reality` (hypothetical, negated and intended
actions are skipped), `arguments` (participants, places, dates) and `roles`. A sentence the rules
cannot read yields no event rather than a wrong one.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from extract.arguments import ACTOR_TYPES, WRITERS, ArgumentReader
from extract.dates import find_date, find_dates
from extract.names import TITLE_WORDS
from extract.reality import RealityFilter
from extract.records import Event, Field, Mention, Role, SourceDocument
from extract.roles import RoleReader
from extract.triggers import Rules, Trigger, TriggerFinder

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "hundred": 100}
# What carries the place or the date of the paragraph's previous event into this one.
SAME_PLACE = re.compile(r"\b(?:in|at|near) (?:the same|that) (?:area|place|region|district|town|city|village|locality|sector)\b",
                        re.I)
SAME_DAY = re.compile(r"\b(?:on )?(?:the same|that) (?:day|date|night|evening|morning|afternoon)\b", re.I)

# ---------------------------------------------------------------------------------------------------
# Communications from the structure of the document

COMMUNICATION_NOUNS = frozenset({"telegram", "message", "letter", "memo", "memorandum", "report", "cable", "note",
                       "decree", "directive", "order", "instruction", "instructions", "resolution",
                       "dispatch", "despatch", "telephonogram", "information", "radiogram", "notes"})
DIRECTIVE_NOUNS = {"decree", "directive", "order", "instruction", "instructions", "resolution"}
# Words after which the rest of a title is its subject, not its senders and recipients.
TOPIC_WORDS = {"on", "about", "regarding", "concerning", "containing", "forwarding", "with", "re", "in",
               "for", "between", "describing"}
GLUE_WORDS = {"and", "the", ",", ";", "[", "]"} | TITLE_WORDS


def _words(text: str) -> list[str]:
    """The words of a title, initials left out: "Letter, I. V. Stalin to ..." reads as "letter stalin to"."""
    return [w.lower().rstrip(".") for w in re.findall(r"[\w’'-]+\.?|[“”\"‘']", text) if not re.fullmatch(r"[A-Z]\.", w)]


def _same_kind(a: Mention, b: Mention) -> bool:
    return (a.type == "Place") == (b.type == "Place")


# "The Ambassador in Iran (Allen) to the Secretary of State": offices with their holders in brackets, as
# Foreign Relations of the United States heads its telegrams.
OFFICE_HOLDERS = re.compile(r"^(?:The\s+)?[^()]+\((?P<sender>[^()]+)\)\s+to\s+(?:the\s+)?[^()]+?(?:\((?P<recipient>[^()]+)\))?\s*$")


def title_roles(title: Field, mentions: list[Mention], noun: str | None = None) -> tuple[str | None, dict[int, str]]:
    """Read "X from A to B" titles: the communication noun and, per mention index, "sender" or "recipient".

    A mention's role comes from the word just before it ("from", "to", "report of", "by"), or from the
    mention before it when only list glue stands between ("Stalin, Molotov, and Beria"), or, for names
    that open a title, from a "to" after them ("Bagirov and Maslennikov to Cdes. ..."). Once a title
    turns to its subject ("on", "about", a quotation) no more roles are read.
    """
    inside = [m for m in mentions if title.start <= m.start and m.end <= title.end]
    roles: dict[int, str] = {}
    noun = next((w for w in _words(title.text) if w in COMMUNICATION_NOUNS), noun)
    if not noun:
        return None, roles
    holders = OFFICE_HOLDERS.match(title.text)
    if holders:
        for role in ("sender", "recipient"):
            if holders.group(role):
                start, end = title.start + holders.start(role), title.start + holders.end(role)
                roles.update({mentions.index(m): role for m in inside if start <= m.start and m.end <= end
                              and m.type in ACTOR_TYPES})
        return noun, roles
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
    # a title without a communication noun takes the header's: "891.00/10–546: Telegram" heads a FRUS title
    header_noun = next((w for w in _words(document.header.text) if w in COMMUNICATION_NOUNS), None) \
        if document.header else None
    noun, roles = title_roles(document.title, mine, header_noun) if document.title else (None, {})
    header_mentions = [m for m in mine if document.header and document.header.start <= m.start < document.header.end]
    addressed = [m for m in mine if any(f.start <= m.start < f.end for f in document.addressees)]
    if not (roles or (document.header and re.match(r"\s*from\b", document.header.text, re.I)) or addressed):
        return None
    event = Event(doc_id=document.doc_id, n=0, type="Order" if noun in DIRECTIVE_NOUNS else "Communication",
                  rule="document-structure", confidence=0.9,
                  evidence=document.title if roles else (document.header or document.addressees[0]),
                  trigger=noun or "telegram")
    titled: list[Mention] = []
    for i, role in roles.items():
        m = mine[i]
        if m.type == "Place":
            if role == "sender":
                event.origin = event.origin or m
            else:
                event.destination = event.destination or m
        elif role == "sender":
            event.agents.append(m)
        else:
            titled.append(m)
    people = any(m.type == "Person" for m in addressed)
    for m in addressed:
        if m.type == "Place":
            event.destination = event.destination or m
        elif m.type == "Person" or (m.type in ACTOR_TYPES and not people):
            event.recipients.append(m)  # "To Generalissimo Stalin, Chairman of the Council of Ministers": Stalin
    if not event.recipients:  # the addressee lines name no one ("to whom THE SOVIET AMBASSADOR"): the title's
        event.recipients = titled
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
    """Reads the events and roles of one parsed paragraph (a title, a body paragraph, a summary) by its
    parts: trigger finding, the reality filter, argument attachment and roles."""

    def __init__(self, document: SourceDocument, field: Field, parsed: Doc, mentions: list[Mention], rules: Rules):
        self.document = document
        self.field = field
        self.doc = parsed
        self.args = ArgumentReader(field, parsed, mentions, rules)
        self.reality = RealityFilter(rules, COMMUNICATION_NOUNS)
        self.triggers = TriggerFinder(rules, self.args.mentions_under)
        self.role_reader = RoleReader(document, field, parsed, mentions, self.args)
        self._sentence_dates: dict[int, list] = {}

    def events(self) -> list[Event]:
        found: dict[tuple[int, str], Event] = {}
        previous: Event | None = None  # the paragraph's last event, whose place or date "the same" carries
        for token in self.doc:
            trigger = self.triggers.find(token, self.reality.unreal)
            if trigger is None or self.reality.unreal(token):
                continue
            event = self._read(token, trigger, previous)
            if event is None:
                continue
            previous = event
            key = (event.evidence.start, event.type)
            if key in found:
                _merge(found[key], event)
            else:
                found[key] = event
        return list(found.values())

    def roles(self) -> list[Role]:
        return self.role_reader.roles()

    def _dates(self, key: int, text: str) -> list:
        """The dates of a sentence, read once however many events it holds (a page of HTML soup can be one
        "sentence" of hundreds of dates and events)."""
        if key not in self._sentence_dates:
            self._sentence_dates[key] = find_dates(text, self.document.date_iso)
        return self._sentence_dates[key]

    def _read(self, token: Token, trigger: Trigger, previous: Event | None) -> Event | None:
        sentence = token.sent
        evidence = Field(self.field.start + sentence.start_char, self.field.start + sentence.end_char,
                         self.field.text[sentence.start_char:sentence.end_char])
        event = Event(doc_id=self.document.doc_id, n=0, type=trigger.type, evidence=evidence,
                      rule=f"sentence:{trigger.type.lower()}", confidence=0.8, trigger=self.args.trigger_text(token),
                      lemma=trigger.lemma, relation=trigger.relation, relation_role=trigger.relation_role)
        if self.args.read(token, trigger, event) is None:
            return None
        if token.dep_ == "acl" and token.tag_ == "VBG" and token.head.lemma_.lower() in COMMUNICATION_NOUNS:
            event.agents_as_written.append(token.head.text)  # "Message requesting paper": the message asks
        if trigger.type == "Communication" and token.tag_ in {"VBP", "VBZ"} and not (event.agents or event.recipients) \
                and set(w.lower() for w in event.agents_as_written) <= WRITERS and event.agents_as_written:
            return None  # "We report information about ...": the document speaking of itself
        if not (event.agents or event.patients or event.recipients or self.args.stands_alone(token, trigger, event)
                or (event.agents_as_written and trigger.type in {"Communication", "Request", "Order", "Meeting"})):
            return None
        dates = self._dates(sentence.start_char, evidence.text)
        at = token.idx - sentence.start_char
        when = min(dates, key=lambda d: min(abs(d.start - at), abs(d.end - at))) if dates else None
        if when:
            event.date_iso, event.date_precision, event.date_text = when.iso, when.precision, when.text
            event.date_warning = when.warning
        self._carry(event, previous)
        if event.resolved_by:
            event.confidence = 0.6
        return event

    def _carry(self, event: Event, previous: Event | None) -> None:
        """"In the same area ...", "on the same day ...": the previous event's place or date, when the text says so."""
        if previous is None or previous.evidence.start == event.evidence.start:
            return
        same_place = SAME_PLACE.search(event.evidence.text)
        if same_place and not event.places and previous.places:
            event.places = list(previous.places)
            event.resolved_by.update({(m.start, m.end): same_place.group() for m in previous.places})
        same_day = SAME_DAY.search(event.evidence.text)
        if same_day and not event.date_iso and previous.date_iso:
            event.date_iso, event.date_precision = previous.date_iso, previous.date_precision
            event.date_text = same_day.group()


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
    """The direct relations an event supports, by entity key: (subject, "disarmed", object). The relation
    is the one its trigger names ("reported" reportedTo, "appealed" appealedTo), never guessed from the type."""
    if event.rule == "document-structure":
        relations = ["sentMessageTo", "ordered" if event.trigger in DIRECTIVE_NOUNS else "reportedTo"]
        objects = event.recipients
    elif event.type == "Election":
        return [(m.entity, "electedTo", event.elected_to.entity) for m in event.patients
                if event.elected_to and m.entity and event.elected_to.entity and m.type == "Person"]
    elif event.relation:
        relations = [event.relation]
        objects = getattr(event, event.relation_role)
    else:
        return []
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
