"""Argument attachment: who acted, on whom, for whom, where and when, read off the dependency parse.

Agents, patients and recipients come from the trigger's subject and object phrases (coordination and
appositions followed, clauses not), in either voice; places from any place named under a locative
preposition inside the trigger's clause, nested phrases included ("attacked a post of the village of
X", "in the X region"); "he", "they" and "the latter" resolve to the nearest fitting name earlier in
the paragraph, or to no one. An argument the parse does not give is left out, not guessed.
"""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

from extract.records import Event, Field, Mention
from extract.triggers import Rules, Trigger

ACTOR_TYPES = {"Person", "Organization", "Group"}
PRONOUNS = {"he": {"Person"}, "him": {"Person"}, "she": {"Person"}, "her": {"Person"},
            "they": {"Group", "Organization"}, "them": {"Group", "Organization"}, "it": {"Organization"}}
LATTER = {"latter"}
WRITERS = {"i", "we"}  # the document's writer, whom the sentence does not name
SUB_CLAUSES = {"relcl", "acl", "advcl", "ccomp", "xcomp"}
LOCATIVE = {"in", "at", "near", "outside", "inside", "around", "within", "on"}
# Prepositions whose phrase is not where the event happened: origins, destinations, targets, topics.
NOT_WHERE = {"from", "to", "into", "toward", "towards", "by", "for", "against", "with", "about", "on"}
MOVED_TO = {"to", "into", "toward", "towards"}
MOVED_FROM = {"from"}
# Nouns of a location: "a post of the village of X", "the outskirts of Tabriz": the place in "of" is where.
LOCATION_NOUNS = {"village", "town", "city", "post", "station", "area", "region", "district", "province", "outskirts",
                  "vicinity", "environs", "neighbourhood", "neighborhood", "border", "building", "square", "garrison",
                  "headquarters", "barracks", "road", "railroad", "railway", "bridge", "suburb", "suburbs"}


class ArgumentReader:
    """Reads the participants, places and dates of events in one parsed piece of text."""

    def __init__(self, field: Field, parsed: Doc, mentions: list[Mention], rules: Rules):
        self.field = field
        self.doc = parsed
        self.mentions = mentions
        self.rules = rules
        self.spans: dict[int, Span | None] = {
            id(m): parsed.char_span(m.start - field.start, m.end - field.start, alignment_mode="expand") for m in mentions}
        # Token -> the mentions covering it, and the mentions' ends in order, so that looking a name up costs
        # the same in a one-paragraph page of hundreds of sentences as in a short one.
        self.by_token: dict[int, list[Mention]] = {}
        for m in mentions:
            for t in self.spans[id(m)] or ():
                self.by_token.setdefault(t.i, []).append(m)
        self.order = {id(m): k for k, m in enumerate(mentions)}
        self.by_end = sorted(mentions, key=lambda m: (m.end, m.start))
        self.ends = [m.end for m in self.by_end]

    # ------------------------------------------------------------------ the event of a trigger
    def read(self, token: Token, trigger: Trigger, event: Event) -> Event | None:
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in token.children)
        used: set[int] = set()
        for child in token.children:
            if token.pos_ in {"NOUN", "PROPN"}:
                self._nominal_child(child, trigger, event, used)
            else:
                self._verbal_child(token, child, trigger, passive, event, used)
        if token.dep_ == "acl" and token.tag_ == "VBN" and not event.patients:
            self._add(event.patients, token.head, used, event)  # "the government chosen by the Majlis"
        if token.dep_ == "conj" and not passive and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in token.children):
            for c in token.head.children:  # "set up posts ... and began": the subject of the first verb
                if c.dep_ == "nsubj":
                    self._add(event.agents, c, used, event)
        if trigger.type == "Election":
            if not event.patients:
                return None
            bodies = {m.name: m for m in self.mentions if m.type == "Organization" and
                      event.evidence.start <= m.start < event.evidence.end and m not in event.agents + event.patients}
            event.elected_to = next(iter(bodies.values())) if len(bodies) == 1 else None
        if trigger.type == "TroopMovement" and not (any(m.type == "Group" for m in event.agents + event.patients)
                                                    or self.moves_troops(token)):
            return None  # a person arriving is a journey, not a troop movement
        if trigger.type == "TroopMovement" and not (event.origin or event.destination):
            for prep in self._clause(token):  # "the withdrawal of Soviet troops from northern Iran"
                if prep.dep_ == "prep" and prep.lower_ in MOVED_TO | MOVED_FROM:
                    self._moved(prep, event)
        if not event.places:
            event.places = [m for m in self.located_in(token) if m not in (event.destination, event.origin)]
        if not event.places and token.dep_ == "relcl" and any(c.lower_ == "where" for c in token.children):
            event.places = self.places_under(token.head)[:1]  # "the city of Sarab, where ... was killed"
        if not event.places and token.dep_ == "conj" and token.head.pos_ == "VERB":
            event.places = [m for m in self.located_in(token.head) if m not in (event.destination, event.origin)]
        if not event.places:
            event.places = self._place_referred_to(token, event)
        return event

    def _place_referred_to(self, token: Token, event: Event) -> list[Mention]:
        """"there", "in the city itself": the place named last before it in the paragraph, like "the latter"."""
        referring = next((t for t in token.subtree if (t.lower_ == "there" and t.dep_ == "advmod")
                          or (t.lower_ in LOCATION_NOUNS and t.head.dep_ == "prep" and t.head.lower_ in LOCATIVE
                              and t.head.head == token and any(c.lower_ in {"the", "this", "that"} for c in t.children)
                              and not any(c.dep_ in {"prep", "compound"} for c in t.children))), None)
        if referring is None:
            return []
        position = self.field.start + referring.idx
        place = next((m for m in self.before(position) if m.type == "Place"), None)
        if place is None:
            return []
        event.resolved_by[(place.start, place.end)] = referring.text if referring.lower_ == "there" else f"the {referring.text}"
        return [place]

    def _nominal_child(self, child: Token, trigger: Trigger, event: Event, used: set[int]) -> None:
        """"the disarmament of a gendarmerie post", "a meeting with Pishevari", "Qavam's talks"."""
        dep, word = child.dep_, child.lower_
        if dep == "prep" and (word in {"from", "by"} or (word == "of" and trigger.type == "Communication")):
            self._add(event.agents, child, used, event)  # "a telegram from Bagirov", "the report of the consul"
            if trigger.object_role == "recipients":  # "a telegram from X to Y", "to Y" hung on X by the parser
                for to in (t for p in child.children for t in p.children if t.dep_ == "prep" and t.lower_ == "to"):
                    self._add(event.recipients, to, used, event)
        elif dep == "prep" and word == "to" and trigger.object_role == "recipients":
            self._add(event.recipients, child, used, event)  # "a letter to Stalin"
        elif dep == "prep" and word == "of":
            self._add(event.agents if trigger.type == "TroopMovement" else event.patients, child, used, event)
        elif dep == "prep" and trigger.type == "TroopMovement" and word in MOVED_TO | MOVED_FROM:
            self._moved(child, event)
        elif dep == "prep" and word == "with":
            self._add(event.recipients, child, used, event)
        elif (dep == "prep" and word == "between") or dep == "poss":
            self._add(event.agents, child, used, event)

    def _verbal_child(self, token: Token, child: Token, trigger: Trigger, passive: bool, event: Event,
                      used: set[int]) -> None:
        dep, word = child.dep_, child.lower_
        if dep == "nsubj" and not passive:
            self._add(event.agents, child, used, event)
        elif dep == "agent" or (dep == "prep" and word == "by" and passive):
            self._add(event.agents, child, used, event)
        elif dep == "dobj" and trigger.type == "TroopMovement" and self.places_under(child):
            event.destination = event.destination or self.places_under(child)[0]  # "entered Mianeh"
        elif dep in {"dobj", "nsubjpass"} and trigger.object_role:
            self._add(getattr(event, trigger.object_role), child, used, event)
        elif dep == "npadvmod" and child.pos_ == "PROPN":
            # the parser's slip on foreign names: "turned to our attaché, Colonel Razin," (an apposition)
            # or "liquidated Ali Olovii" (an object)
            before = self.doc[child.left_edge.i - 1] if child.left_edge.i > 0 else None
            if before is not None and before.text == "," and event.recipients:
                self._add(event.recipients, child, used, event)
            elif not any(c.dep_ == "dobj" for c in token.children):
                self._add(event.recipients if trigger.object_role == "recipients" else event.patients, child, used, event)
        elif dep == "dative":
            self._add(event.recipients, child, used, event)
        elif dep == "prep" and word == trigger.needs_prep and trigger.object_role:
            self._add(getattr(event, trigger.object_role), child, used, event)  # "turned to X", "called on X"
        elif dep == "prep" and word in {"to", "with"} and trigger.object_role in {"recipients", "agents"}:
            self._add(event.recipients, child, used, event)
        elif dep == "prep" and (word in MOVED_TO or (word in MOVED_FROM and trigger.type == "TroopMovement")):
            self._moved(child, event)
        elif dep == "prep" and word in LOCATIVE:
            event.places.extend(m for m in self.places_under(child) if m not in event.places)

    def _clause(self, token: Token):
        """The tokens of a trigger's own clause: its subtree without the clauses inside it."""
        stack = list(token.children)
        while stack:
            t = stack.pop()
            if t.dep_ in SUB_CLAUSES:
                continue
            yield t
            stack.extend(t.children)

    def _moved(self, prep: Token, event: Event) -> None:
        """"to Tabriz", "towards Tehran": where it went; "from northern Iran": where it left."""
        place = next(iter(self.places_under(prep)), None)
        if prep.lower_ in MOVED_FROM:
            event.origin = event.origin or place
        else:
            event.destination = event.destination or place

    def moves_troops(self, token: Token) -> bool:
        """"The operatives and guerillas are being sent", "withdrawal of troops": troops, named or not."""
        troops = self.rules.words("troops")
        heads = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass", "dobj"}]
        heads += [p for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children if p.dep_ == "pobj"]
        return any(t.lower_ in troops for h in heads for t in [h, *[c for c in h.children if c.dep_ == "conj"]])

    def stands_alone(self, token: Token, trigger: Trigger, event: Event) -> bool:
        """An event worth keeping without a named participant: "a law has been adopted", "we have given an order",
        "orders have been given", "the criminals have been arrested ... in Tabriz" (a deed with its place)."""
        objects = {c.lemma_.lower() for c in token.children if c.dep_ in {"dobj", "nsubjpass"}}
        if trigger.type == "Declaration" and objects & self.rules.words("declared"):
            return True
        if trigger.type == "TroopMovement" and self.moves_troops(token):
            return True
        if trigger.type in self.rules.words("done_where") and event.places and not token.pos_ == "NOUN":
            return True
        if trigger.type == "Order" and objects & self.rules.words("orders") and any(c.dep_ == "nsubjpass" for c in token.children):
            return True
        return trigger.type in {"Order", "Request"} and any(c.dep_ == "nsubj" and c.lower_ == "we" for c in token.children)

    def trigger_text(self, token: Token) -> str:
        words = [token] + [c for c in token.children if c.dep_ in {"prt", "neg"} or (
            c.dep_ == "dobj" and c.lemma_.lower() in self.rules.words("trigger_objects"))]
        return " ".join(t.text for t in sorted(words, key=lambda t: t.i))

    # ------------------------------------------------------------------ phrases and the names in them
    def mentions_under(self, token: Token) -> list[Mention]:
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
                if c.dep_ in SUB_CLAUSES | {"punct", "cc"}:
                    continue
                if c.dep_ == "appos" and not self.is_name(c):
                    continue  # "Ranuma, the secretary of the Seyyed Ziaeddin organization": not Seyyed Ziaeddin
                if c.dep_ == "prep" and c.lower_ not in {"of"}:
                    continue  # "a detachment of 300 gendarmes from the city of Zanjan": Zanjan is not acted on
                keep.add(c.i)
                stack.append(c)
        found = {id(m): m for i in keep for m in self.by_token.get(i, ())}
        return sorted(found.values(), key=lambda m: self.order[id(m)])

    def before(self, position: int):
        """The mentions that end at or before a character position, nearest first."""
        return (self.by_end[i] for i in range(bisect_right(self.ends, position) - 1, -1, -1))

    def located_in(self, token: Token) -> list[Mention]:
        """Places named anywhere in the trigger's clause under "in", "at", "near" or a location noun's "of"
        ("a post of the village of X"), sub-clauses and the subject's own phrase left out."""
        found: list[Mention] = []
        stack = [token] if token.pos_ in {"NOUN", "PROPN"} else [
            c for c in token.children if c.dep_ not in {"nsubj", "nsubjpass"} | SUB_CLAUSES]
        while stack:
            t = stack.pop()
            located = t.dep_ == "prep" and (t.lower_ in LOCATIVE or (t.lower_ == "of" and t.head.lower_ in LOCATION_NOUNS))
            if located:
                found.extend(m for m in self.places_under(t) if m not in found)
            if not (t.dep_ in {"prep", "agent"} and t.lower_ in NOT_WHERE - LOCATIVE):
                stack.extend(c for c in t.children if c.dep_ not in SUB_CLAUSES)
        return found

    def is_name(self, token: Token) -> bool:
        return token.i in self.by_token

    def places_under(self, token: Token) -> list[Mention]:
        """The places a preposition governs: "in the city of Sarab", not a clause inside it."""
        if token.dep_ in {"prep", "agent"}:
            token = next((c for c in token.children if c.dep_ == "pobj"), token)
        return [m for m in self.mentions_under(token) if m.type == "Place"]

    def _add(self, role: list[Mention], token: Token, used: set[int], event: Event) -> None:
        target = token
        if token.dep_ in {"prep", "agent"}:
            target = next((c for c in token.children if c.dep_ == "pobj"), None)
            if target is None:
                return
        if target.lower_ in {"who", "which", "that"} and target.head.dep_ == "relcl":
            target = target.head.head  # "Jamshid Keshaverz, who ... asked Pishevari"
        found = [m for m in self.mentions_under(target) if m.type in ACTOR_TYPES]
        if not found:
            antecedent = self._antecedent(target, event)
            if antecedent:
                event.resolved_by[(antecedent.start, antecedent.end)] = target.text
                found = [antecedent]
            elif role is event.agents and target.pos_ in {"NOUN", "PROPN"} and not self.is_name(target):
                event.agents_as_written.append(self.doc[target.left_edge.i: target.right_edge.i + 1].text)
            elif role is event.agents and target.lower_ in WRITERS:
                event.agents_as_written.append(target.text)  # "I replied", "we have given": the writer, unnamed
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
        return next((m for m in self.before(position) if m.type in types and id(m) not in taken
                     and (word not in PRONOUNS or self._is_subject(m))), None)  # "he": the nearest earlier subject

    def _is_subject(self, m: Mention) -> bool:
        span = self.spans.get(id(m))
        if span is None:
            return False
        t = span.root
        while t.dep_ in {"conj", "appos", "compound"}:
            t = t.head
        return t.dep_ in {"nsubj", "nsubjpass"}
