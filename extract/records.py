"""The typed records that cross from `extract` to `graph`: plain data, no RDF.

Every offset is a character offset into the original file text (`SourceFile.text`),
so that evidence can always be shown in, and checked against, the file as it was read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Entity type -> the folder of its key and IRI path ("person/bagirov"); also the authority file's sections.
TYPE_FOLDERS = {"Person": "person", "Place": "place", "Organization": "org", "Group": "group"}
FOLDER_TYPES = {folder: type_ for type_, folder in TYPE_FOLDERS.items()}


@dataclass(frozen=True)
class Field:
    """A piece of the file: its text exactly as written and where it stands."""

    start: int
    end: int
    text: str


@dataclass
class SourceFile:
    """One input file (an archive page, a listing page or plain text) as read from disk."""

    file_id: str  # slug of the file name stem, stable across rebuilds
    path: str
    text: str  # the decoded file text; every offset points into it
    sha256: str
    source_url: str | None = None
    rights: str | None = None  # the archive's own rights statement, as the page prints it


@dataclass
class SourceDocument:
    """One archival document: a whole page, or one record of a listing page."""

    doc_id: str  # file_id for a page; f"{file_id}-{n:02d}" for the n-th record of a listing
    file: SourceFile
    kind: str  # "page" | "listing-record" | "plain"
    span: Field  # the part of the file this document covers
    title: Field | None = None
    date: Field | None = None  # the document date as written
    date_iso: str | None = None  # "1945-11-20", "1945-07" or "1944"
    header: Field | None = None  # "FROM BAKU 20 November 1945"
    addressees: list[Field] = field(default_factory=list)  # "to MOSCOW, to Cde. STALIN, ...", "To Cde. Stalin"
    body: list[Field] = field(default_factory=list)  # paragraphs of the document's own text
    summary: Field | None = None  # the archive's editorial summary
    transmission: Field | None = None  # "Received via VCh\n\n21 Nov 1945"
    archival_reference: Field | None = None  # "RGASPI, f. 558, op. 11, d. 99, ll. 0005-0006"
    contributor: str | None = None
    translator: str | None = None

    def text_fields(self) -> list[tuple[str, Field]]:
        """The parts worth reading for names and events, with their section names, in file order."""
        parts: list[tuple[str, Field]] = []
        if self.title:
            parts.append(("title", self.title))
        if self.header:
            parts.append(("header", self.header))
        parts.extend(("addressees", f) for f in self.addressees)
        parts.extend(("body", f) for f in self.body)
        if self.summary:
            parts.append(("summary", self.summary))
        return sorted(parts, key=lambda p: p[1].start)


@dataclass
class Mention:
    """A name in the text, typed and resolved to an entity key."""

    doc_id: str
    start: int
    end: int
    text: str  # exactly file.text[start:end]
    name: str  # the name without honorifics, ranks, possessives or brackets ("Derakhshani")
    type: str  # "Person" | "Place" | "Organization" | "Group"
    sentence: Field
    section: str  # "title", "header", "addressees", "body", "summary"
    rule: str  # how it was found: "authority", "ner", "gazetteer", "group-pattern", ...
    confidence: float
    entity: str | None = None  # entity key such as "person/bagirov", set by the resolver
    title: str | None = None  # honorific or rank as written before the name ("General", "Cde.")
    codename_of: str | None = None  # "Filippov [Stalin]": the name in brackets this one stands for
    spelled_also: str | None = None  # "Dorokshani [SIC, spelled Darakhshani in subsequent reports]"
    resolution: str | None = None  # why the resolver put it with its entity, for `entities --explain`


@dataclass
class Entity:
    """One real-world person, place, organization or group: a cluster of mentions."""

    key: str  # "person/bagirov": type folder + slug, becomes the IRI path
    type: str
    label: str
    description: str | None = None
    wikidata: str | None = None
    names: dict[str, int] = field(default_factory=dict)  # name as written -> count
    from_authority: bool = False
    reasons: dict[str, str] = field(default_factory=dict)  # name as written -> why it belongs (from the store)


@dataclass
class Event:
    """Something that happened, as one document reports it, with its evidence.

    Participants are the mentions they were read from; their entity keys are known once the batch
    is resolved (`Mention.entity`). Participants the text names only by a description ("the Minister
    of War of Iran") are kept as written.
    """

    doc_id: str
    n: int  # ordinal within the document; the IRI is event/{doc_id}-{n}
    type: str  # "Communication", "Order", "Disarmament", ...
    evidence: Field  # the sentence or line it was read from
    rule: str
    confidence: float
    trigger: str  # the words that name the event, as written ("Telegram", "disarmed", "martial law")
    lemma: str | None = None  # the trigger's entry in triggers.toml ("report", "appeal"); None for a document's own
    relation: str | None = None  # the shortcut the trigger names ("reportedTo"), from agents to `relation_role`
    relation_role: str = "patients"  # "patients" or "recipients"
    agents: list[Mention] = field(default_factory=list)
    recipients: list[Mention] = field(default_factory=list)
    patients: list[Mention] = field(default_factory=list)
    places: list[Mention] = field(default_factory=list)  # where it happened
    origin: Mention | None = None  # the place sent from (communications)
    destination: Mention | None = None  # the place sent or moved to
    elected_to: Mention | None = None  # the body an election was to
    agents_as_written: list[str] = field(default_factory=list)  # "The Minister of War of Iran"
    date_iso: str | None = None
    date_precision: str | None = None  # "day" | "month" | "year"
    date_text: str | None = None
    date_warning: str | None = None
    counts: dict[str, int] = field(default_factory=dict)  # "gendarmes" -> 300
    resolved_by: dict[tuple[int, int], str] = field(default_factory=dict)  # mention (start, end) -> "the latter", "he" ...


@dataclass
class Role:
    """A position a person held, as the text states it: "Wall, the British consul in Tabriz"."""

    doc_id: str
    n: int
    holder: Mention
    role: str  # as written, without article or possessive: "British consul"
    evidence: Field
    rule: str
    confidence: float
    place: Mention | None = None
    organization: Mention | None = None
    commands: Mention | None = None  # the troops or unit a commander commands
    date_iso: str | None = None


@dataclass
class Extraction:
    """Everything read from one file."""

    file: SourceFile
    documents: list[SourceDocument]
    mentions: list[Mention] = field(default_factory=list)
    sentences: list[tuple[str, Field]] = field(default_factory=list)  # (doc_id, sentence)
    events: list[Event] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    extractor: str | None = None  # the fingerprint of the extractor that read it (Extractor.fingerprint)
