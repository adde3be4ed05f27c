"""The extraction pipeline: file -> documents -> sentences and mentions -> events and roles -> entities."""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from extract.authority import AUTHORITY_FILE, Authority, load_authority
from extract.events import COMMUNICATION_NOUNS, SentenceReader, communication_event, counts_of, number_events
from extract.gazetteer import gazetteer
from extract.names import clean_name, name_key
from extract.ner import NameFinder, installed_model, load_nlp, text_for_analysis
from extract.reader import parse_documents, read_file, slug
from extract.records import Entity, Event, Extraction, Field, Mention, SourceFile
from extract.resolve import resolve
from extract.triggers import TRIGGERS_FILE, Rules

EXTRACT_DIR = Path(__file__).resolve().parent
# Sections read as one line each; body and summary are split into sentences by the parser.
LINE_SECTIONS = {"title", "header", "addressees"}
# Sections whose sentences are read for events (headers and addressees make the document's communication).
EVENT_SECTIONS = {"title", "body", "summary"}


@dataclass(frozen=True)
class ExtractorConfig:
    """What one extractor uses. Tests and `archivekg eval` options change behaviour by changing this."""

    authority_file: Path | None = AUTHORITY_FILE  # None: no authority file, for finding or for resolving names
    triggers_file: Path = TRIGGERS_FILE
    max_bytes: int = 5_000_000


class Extractor:
    """Text in, typed records out: names, sentences, events and roles, then entities for a batch."""

    def __init__(self, config: ExtractorConfig | None = None):
        self.config = config or ExtractorConfig()
        self.authority = load_authority(self.config.authority_file) if self.config.authority_file else Authority()
        self.rules = Rules.load(self.config.triggers_file)

    @cached_property
    def finder(self) -> NameFinder:
        """The name finder and its spaCy pipeline, loaded when a first text is read: a build whose files
        are all unchanged never loads the model."""
        return NameFinder(load_nlp(), self.authority, gazetteer())

    def analyse_file(self, path: str | Path) -> Extraction:
        """Read one file. Raises extract.reader.InputError for bad input (empty, binary, not UTF-8, too large)."""
        return self.analyse(self.read(path))

    def read(self, path: str | Path) -> SourceFile:
        """The file as text, refused as analyse_file refuses it (extract.reader.InputError)."""
        return read_file(path, max_bytes=self.config.max_bytes)

    @cached_property
    def fingerprint(self) -> str:
        """What decides this extractor's output besides the text: its code and data files, the authority
        and trigger files it was given, and the spaCy model's name and version. A file read by an extractor
        with the same fingerprint and with the same content needs no second reading."""
        digest = hashlib.sha256()
        own = sorted(p for p in EXTRACT_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in own + [p for p in (self.config.authority_file, self.config.triggers_file) if p]:
            digest.update(str(path.name).encode())
            digest.update(path.read_bytes())
        digest.update(installed_model().encode())
        return digest.hexdigest()[:16]

    def analyse_text(self, text: str, date: str | None = None, name: str = "text") -> Extraction:
        """Read a text given in memory, dated `date` ("1945-11-20") where it says no date of its own."""
        source = SourceFile(file_id=slug(name), path=name, text=text,
                            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
        return self.analyse(source, date)

    def resolve(self, extractions: list[Extraction], known: dict[str, Entity] | None = None) -> dict[str, Entity]:
        """Resolve the mentions of a batch of files together: sets every `Mention.entity`."""
        return resolve([m for x in extractions for m in x.mentions], known, self.authority)

    def analyse(self, source: SourceFile, date: str | None = None) -> Extraction:
        """Read a file already read from disk (`read`) or made in memory. The records hold plain strings, so
        the strings spaCy makes for the file's words are freed after it (its memory zone): a long build's
        memory does not grow with every new word of the archive."""
        with self.finder.nlp.memory_zone():
            return self._records(source, date)

    def _records(self, source: SourceFile, date: str | None) -> Extraction:
        documents = parse_documents(source)
        for doc in documents:
            doc.date_iso = doc.date_iso or date
        extraction = Extraction(file=source, documents=documents, extractor=self.fingerprint)
        finder = self.finder
        parts = [(doc, section, f) for doc in documents for section, f in doc.text_fields()]
        parsed = finder.nlp.pipe(text_for_analysis(f.text, *((finder.english_words, finder.known_words)
                                                             if section == "title" else ())) for _, section, f in parts)
        for (doc, section, f), sdoc in zip(parts, parsed):
            if section in LINE_SECTIONS:
                sentences = [f]
            else:
                sentences = [Field(f.start + s.start_char, f.start + s.end_char,
                                   source.text[f.start + s.start_char:f.start + s.end_char]) for s in sdoc.sents
                             if s.text.strip()]
            extraction.sentences.extend((doc.doc_id, s) for s in sentences)
            starts = [s.start for s in sentences]  # in text order: found by bisection, not by a scan per name
            found, noted = [], []
            for c in finder.find(sdoc, title=section == "title") + finder.in_notes(f.text):
                start, end = f.start + c.start, f.start + c.end
                text = source.text[start:end]
                if not name_key(text):
                    continue  # nothing of it can be spelled: not a name
                k = bisect_right(starts, start) - 1
                sentence = sentences[k] if k >= 0 and start < sentences[k].end else None
                if sentence is None:  # a name in an editorial note the parse left out: its paragraph is the evidence
                    sentence = f
                    if f not in sentences:
                        sentences.append(f)
                        extraction.sentences.append((doc.doc_id, f))
                (noted if c.rule.endswith("editorial-note") else found).append(Mention(
                    doc_id=doc.doc_id, start=start, end=end, text=text, name=clean_name(text), type=c.type,
                    sentence=sentence, section=section, rule=c.rule, confidence=c.confidence, title=c.title))
            link_bracketed_names(source.text, f, found)
            extraction.mentions.extend(sorted(found + noted, key=lambda m: m.start))
            if section in EVENT_SECTIONS:
                reader = SentenceReader(doc, f, sdoc, found, self.rules)
                for event in reader.events():
                    counts_of(event, sdoc, f)
                    extraction.events.append(event)
                extraction.roles.extend(reader.roles())
        by_doc = defaultdict(list)
        for m in extraction.mentions:
            by_doc[m.doc_id].append(m)
        own = [e for e in (communication_event(doc, by_doc[doc.doc_id]) for doc in documents) if e]
        own_by_doc = {e.doc_id: e for e in own}  # the document's own communication replaces the readings that only say it again
        extraction.events = [e for e in extraction.events
                             if not (e.doc_id in own_by_doc and restates(e, own_by_doc[e.doc_id]))] + own
        number_events(extraction.events, extraction.roles)
        return extraction


def restates(e: Event, document: Event) -> bool:
    """A sentence's communication that is the document's own: its title read again, or "the letter of Qavam
    to Sadchikov" in a document that is that letter (nobody in it whom the document does not name)."""
    if e.doc_id != document.doc_id or e.type != document.type:
        return False
    if e.evidence.start == document.evidence.start:
        return True
    named = {m.entity or m.name for m in document.agents + document.recipients}
    mine = {m.entity or m.name for m in e.agents + e.recipients}
    return e.lemma in COMMUNICATION_NOUNS and bool(mine) and mine <= named


SIC_NOTE = re.compile(r"\[\s*sic\b[^\]]*?spelled\s+([A-Z][\w’'-]+)", re.I)


def link_bracketed_names(text: str, f: Field, found: list[Mention]) -> None:
    """What the translators' brackets say about names: "Filippov [Stalin]" (a codename, or the rest of a
    name), "Dorokshani [SIC, spelled Darakhshani in subsequent reports]". The resolver acts on these."""
    for a, b in zip(found, found[1:]):
        if a.type == b.type and text[a.end:b.start].strip() == "[" and text[b.end:b.end + 1] == "]":
            a.codename_of = b.name
    for note in SIC_NOTE.finditer(f.text):
        start = f.start + note.start()
        before = [m for m in found if m.end <= start and not text[m.end:start].strip()]
        if before:
            before[-1].spelled_also = note.group(1)
