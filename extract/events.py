"""Events read from the structure of a document: who sent it, to whom, from where, when.

A telegram's header ("FROM BAKU 20 November 1945"), its addressee lines ("to MOSCOW, to Cde. STALIN")
and the archive's title ("M.D. Bagriov and I.I. Maslennikov to Cdes. Stalin, Molotov, Beria, and
Malenkov", "Message to Bagirov from Molotov on Advisers...") each say part of one communication.
"""
from __future__ import annotations

import re

from extract.dates import find_date
from extract.names import TITLE_WORDS
from extract.records import Event, Field, Mention, SourceDocument

# Nouns that make a title the title of a communication, and the kinds that are directives, not reports.
COMMUNICATION_NOUNS = {"telegram", "message", "letter", "memo", "memorandum", "report", "cable", "note",
                       "decree", "directive", "order", "instruction", "instructions", "resolution",
                       "dispatch", "despatch", "telephonogram", "information", "radiogram", "notes"}
DIRECTIVE_NOUNS = {"decree", "directive", "order", "instruction", "instructions", "resolution"}
# Words after which the rest of a title is its subject, not its senders and recipients.
TOPIC_WORDS = {"on", "about", "regarding", "concerning", "containing", "forwarding", "with", "re", "in",
               "for", "between", "per", "describing", "and"}
GLUE_WORDS = {"and", "the", ",", ";", "[", "]"} | TITLE_WORDS
ACTOR_TYPES = {"Person", "Organization", "Group"}


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
        if any(w in TOPIC_WORDS - {"and"} or w in {"“", '"', "‘", "'"} for w in meaningful) and not (
                meaningful and meaningful[-1] in {"from", "to", "by"} and not set(meaningful[:-1]) & TOPIC_WORDS):
            break
        role = None
        if meaningful and meaningful[-1] in {"from", "by"}:
            role = "sender"
        elif meaningful and meaningful[-1] == "to":
            role = "recipient"
        elif meaningful and meaningful[-1] == "of" and len(meaningful) > 1 and meaningful[-2] in COMMUNICATION_NOUNS:
            role = "sender"
        elif not meaningful and prev is not None and _same_kind(prev, inside[i - 1]) and _same_kind(prev, m) \
                and (i - 1) in roles:
            role = roles[i - 1]
        elif not meaningful or meaningful == [noun] or set(meaningful) <= COMMUNICATION_NOUNS | {"deciphered", "no"}:
            role = _role_from_what_follows(title, inside, i)
        if role:
            roles[i] = role
        prev_end, prev = m.end, m
    return noun, {mentions.index(inside[i]): r for i, r in roles.items()}


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


def communication_event(document: SourceDocument, mentions: list[Mention], n: int) -> Event | None:
    """The communication a document is: senders from its title, recipients from its addressee lines
    (else from its title), origin and date from its header (else the archive's date)."""
    mine = [m for m in mentions if m.doc_id == document.doc_id and m.entity]
    noun, roles = title_roles(document.title, mine) if document.title else (None, {})
    header_mentions = [m for m in mine if document.header and document.header.start <= m.start < document.header.end]
    addressed = [m for m in mine if any(f.start <= m.start < f.end for f in document.addressees)]
    if not (roles or (document.header and re.match(r"\s*from\b", document.header.text, re.I)) or addressed):
        return None
    event = Event(doc_id=document.doc_id, n=n, type="Communication", rule="document-structure", confidence=0.9,
                  evidence=document.title if roles else (document.header or document.addressees[0]),
                  trigger=noun or "telegram")
    titled = {i: r for i, r in roles.items()}
    for i, role in titled.items():
        m = mine[i]
        if m.type == "Place":
            if role == "sender":
                event.origin = event.origin or m.entity
            else:
                event.destination = event.destination or m.entity
        elif role == "sender":
            _add(event.agents, m, event)
        elif not addressed:
            _add(event.recipients, m, event)
    for m in addressed:
        if m.type == "Place":
            event.destination = event.destination or m.entity
        elif m.type in ACTOR_TYPES:
            _add(event.recipients, m, event)
    for m in header_mentions:
        if m.type == "Place":
            event.origin = m.entity
            event.mentions.append(m)
    when = find_date(document.header.text) if document.header else None
    if when:
        event.date_iso, event.date_precision, event.date_text = when.iso, when.precision, when.text
    elif document.date_iso:
        event.date_iso = document.date_iso
        event.date_precision = {10: "day", 7: "month", 4: "year"}[len(document.date_iso)]
        event.date_text = document.date.text if document.date else None
    if not (event.agents or event.recipients):
        return None
    relation = "sentMessageTo" if event.trigger in DIRECTIVE_NOUNS else "reportedTo"
    event.shortcuts = [(a, p, r) for a in event.agents for r in event.recipients if a != r
                       for p in dict.fromkeys(("sentMessageTo", relation))]
    return event


def _add(keys: list[str], mention: Mention, event: Event) -> None:
    if mention.entity not in keys:
        keys.append(mention.entity)
    event.mentions.append(mention)


def read_events(document: SourceDocument, mentions: list[Mention]) -> list[Event]:
    """All events of one document, numbered in reading order (the numbers make their IRIs)."""
    event = communication_event(document, mentions, 1)
    return [event] if event else []
