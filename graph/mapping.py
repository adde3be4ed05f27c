"""Records -> RDF quads: one file's graph, and the corpus graph of canonical entities.

The shapes are documented in ontology/README.md; every IRI comes from graph.iris.
"""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from extract.gazetteer import gazetteer
from extract.names import initials_surname
from extract.events import role_shortcuts, shortcuts
from extract.records import FOLDER_TYPES, Entity, Event, Extraction, Field, Mention, Role, SourceDocument
from graph.iris import Minter, lit, term

RDF_TYPE = term("rdf:type")
CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector


def date_literal(iso: str) -> Literal:
    """xsd:date for a day, xsd:gYearMonth for a month, xsd:gYear for a year."""
    return lit(iso, {10: "date", 7: "gYearMonth", 4: "gYear"}[len(iso)])


class FileGraph:
    """Collects the quads of one file's named graph."""

    def __init__(self, minter: Minter, extraction: Extraction):
        self.m = minter
        self.x = extraction
        self.graph = minter.file_graph(extraction.file.file_id)
        self.quads: list[Quad] = []

    def add(self, s, p: str, o) -> None:
        if o is None or o == "":
            return
        if not isinstance(o, (NamedNode, Literal)):
            o = lit(o)
        self.quads.append(Quad(s, term(p), o, self.graph))

    def build(self) -> list[Quad]:
        self._file()
        for doc in self.x.documents:
            self._document(doc)
        for doc_id, sentence in self.x.sentences:
            self._sentence(doc_id, sentence)
        for mention in self.x.mentions:
            self._mention(mention)
        for event in self.x.events:
            self._event(event)
        for role in self.x.roles:
            self._role(role)
        return self.quads

    def _file(self) -> None:
        f, node = self.x.file, self.m.file(self.x.file.file_id)
        self.add(node, "rdf:type", term("akg:SourceFile"))
        self.add(node, "akg:fileName", Path(f.path).name)
        self.add(node, "akg:content", f.text)
        self.add(node, "akg:sha256", f.sha256)
        if self.x.extractor:
            self.add(node, "akg:extractor", self.x.extractor)
        if f.source_url:
            self.add(node, "dcterms:source", NamedNode(f.source_url))
        self.add(node, "dcterms:rights", f.rights)

    def _document(self, doc: SourceDocument) -> None:
        node = self.m.doc(doc.doc_id)
        self.add(node, "rdf:type", term("akg:Document"))
        self.add(node, "akg:documentKind", doc.kind)
        self.add(node, "akg:sourceFile", self.m.file(doc.file.file_id))
        self.add(node, "akg:start", doc.span.start)
        self.add(node, "akg:end", doc.span.end)
        if doc.title:
            self.add(node, "dcterms:title", doc.title.text)
        if doc.date_iso:
            self.add(node, "dcterms:date", date_literal(doc.date_iso))
        for prop, f in (("akg:header", doc.header), ("akg:summary", doc.summary),
                        ("akg:transmissionNote", doc.transmission), ("akg:archivalReference", doc.archival_reference)):
            if f:
                self.add(node, prop, f.text)
        for f in doc.addressees:
            self.add(node, "akg:addressees", f.text)
        self.add(node, "dcterms:contributor", doc.contributor)
        self.add(node, "akg:translator", doc.translator)
        if doc.file.source_url:
            self.add(node, "dcterms:source", NamedNode(doc.file.source_url))
        self.add(node, "dcterms:rights", doc.file.rights)

    def _sentence(self, doc_id: str, s: Field) -> None:
        node = self.m.sentence(doc_id, s.start, s.end)
        self.add(node, "rdf:type", term("akg:Sentence"))
        self.add(node, "rdf:value", s.text)
        self.add(node, "akg:start", s.start)
        self.add(node, "akg:end", s.end)
        self.add(node, "akg:document", self.m.doc(doc_id))

    def _mention(self, mention: Mention) -> None:
        text = self.x.file.text
        node = self.m.mention(mention.doc_id, mention.start, mention.end)
        target = self.m.mention(mention.doc_id, mention.start, mention.end, "target")
        quote = self.m.mention(mention.doc_id, mention.start, mention.end, "quote")
        position = self.m.mention(mention.doc_id, mention.start, mention.end, "position")
        self.add(node, "rdf:type", term("oa:Annotation"))
        self.add(node, "oa:motivatedBy", term("oa:identifying"))
        self.add(node, "oa:hasBody", self.m.entity(mention.entity))
        self.add(node, "oa:hasTarget", target)
        self.add(node, "akg:nameAsWritten", mention.name)
        self.add(node, "akg:honorific", mention.title)
        self.add(node, "akg:entityType", term(f"akg:{mention.type}"))
        self.add(node, "akg:section", mention.section)
        self.add(node, "akg:sentence", self.m.sentence(mention.doc_id, mention.sentence.start, mention.sentence.end))
        self.add(node, "akg:document", self.m.doc(mention.doc_id))
        self.add(node, "akg:rule", mention.rule)
        self.add(node, "akg:confidence", mention.confidence)
        self.add(node, "akg:resolution", mention.resolution)
        self.add(target, "oa:hasSource", self.m.file(self.x.file.file_id))
        self.add(target, "oa:hasSelector", quote)
        self.add(target, "oa:hasSelector", position)
        self.add(quote, "rdf:type", term("oa:TextQuoteSelector"))
        self.add(quote, "oa:exact", mention.text)
        self.add(quote, "oa:prefix", text[max(0, mention.start - CONTEXT):mention.start])
        self.add(quote, "oa:suffix", text[mention.end:mention.end + CONTEXT])
        self.add(position, "rdf:type", term("oa:TextPositionSelector"))
        self.add(position, "oa:start", mention.start)
        self.add(position, "oa:end", mention.end)

    def _event(self, event: Event) -> None:
        node = self.m.event(event.doc_id, event.n)
        self.add(node, "rdf:type", term(f"akg:{event.type}"))
        for prop, mentions in (("akg:agent", event.agents), ("akg:recipient", event.recipients),
                               ("akg:patient", event.patients), ("akg:place", event.places),
                               ("akg:origin", [event.origin] if event.origin else []),
                               ("akg:destination", [event.destination] if event.destination else [])):
            for m in mentions:
                self.add(node, prop, self.m.entity(m.entity))
        for text in event.agents_as_written:
            self.add(node, "akg:agentAsWritten", text)
        if event.date_iso:
            self.add(node, "akg:date", date_literal(event.date_iso))
            self.add(node, "akg:datePrecision", event.date_precision)
            self.add(node, "akg:dateAsWritten", event.date_text)
            self.add(node, "akg:dateWarning", event.date_warning)
        for what, n in sorted(event.counts.items()):
            self.add(node, "akg:count", f"{n} {what}")
        self.add(node, "akg:trigger", event.trigger)
        self.add(node, "akg:reportedIn", self.m.doc(event.doc_id))
        participants = event.agents + event.recipients + event.patients + event.places + [
            m for m in (event.origin, event.destination) if m]
        self.add(node, "akg:evidence", self.m.sentence(event.doc_id, event.evidence.start, event.evidence.end))
        elsewhere = [m.sentence for m in participants if (m.sentence.start, m.sentence.end) !=
                     (event.evidence.start, event.evidence.end)]
        for start, end in dict.fromkeys((s.start, s.end) for s in elsewhere):
            self.add(node, "akg:supportingEvidence", self.m.sentence(event.doc_id, start, end))
        for start, end in dict.fromkeys((m.start, m.end) for m in participants):
            self.add(node, "prov:wasDerivedFrom", self.m.mention(event.doc_id, start, end))
        for m in participants:
            if (m.start, m.end) in event.resolved_by:
                self.add(node, "akg:resolvedFrom", f"{event.resolved_by[(m.start, m.end)]} = {m.name}")
        self.add(node, "akg:rule", event.rule)
        self.add(node, "akg:confidence", event.confidence)
        for subject, prop, obj in shortcuts(event):
            self.add(self.m.entity(subject), f"akg:{prop}", self.m.entity(obj))

    def _role(self, role: Role) -> None:
        node = self.m.iri(f"role/{role.doc_id}-{role.n}")
        holder = self.m.entity(role.holder.entity)
        self.add(node, "rdf:type", term("akg:RoleStatement"))
        self.add(node, "akg:holder", holder)
        self.add(node, "akg:roleName", role.role)
        for prop, m in (("akg:organization", role.organization), ("akg:place", role.place),
                        ("akg:commandsGroup", role.commands)):
            if m and m.entity:
                self.add(node, prop, self.m.entity(m.entity))
        if role.date_iso:
            self.add(node, "akg:date", date_literal(role.date_iso))
        self.add(node, "akg:evidence", self.m.sentence(role.doc_id, role.evidence.start, role.evidence.end))
        self.add(node, "prov:wasDerivedFrom", self.m.mention(role.doc_id, role.holder.start, role.holder.end))
        self.add(node, "akg:reportedIn", self.m.doc(role.doc_id))
        self.add(node, "akg:rule", role.rule)
        self.add(node, "akg:confidence", role.confidence)
        self.add(holder, "akg:heldRole", node)
        for subject, prop, obj in role_shortcuts(role):
            self.add(self.m.entity(subject), f"akg:{prop}", self.m.entity(obj))


def file_quads(minter: Minter, extraction: Extraction) -> list[Quad]:
    return FileGraph(minter, extraction).build()


def corpus_quads(minter: Minter, entities: dict[str, Entity], geonames: dict[str, int]) -> list[Quad]:
    """The corpus graph: canonical entities with labels, every name seen, authority links, coordinates."""
    graph = minter.corpus_graph()
    quads: list[Quad] = []

    def add(s, p, o):
        quads.append(Quad(s, term(p), o if isinstance(o, (NamedNode, Literal)) else lit(o), graph))

    for key, e in sorted(entities.items()):
        node = minter.entity(key)
        add(node, "rdf:type", term(f"akg:{FOLDER_TYPES[key.split('/')[0]]}"))
        add(node, "rdfs:label", e.label)
        add(node, "skos:prefLabel", e.label)
        seen = {e.label.casefold()}
        written = set(e.names)
        if e.type == "Person":  # "M.D. Bagriov" is also how one searches for "Bagriov"
            written |= {s for s in map(initials_surname, e.names) if s}
        for name in sorted(written, key=lambda n: (n.isupper(), n)):
            if name.casefold() not in seen:
                seen.add(name.casefold())
                add(node, "skos:altLabel", name)
        add(node, "akg:mentionCount", sum(e.names.values()))
        if e.description:
            add(node, "schema:description", e.description)
        if e.from_authority:
            add(node, "akg:fromAuthority", True)
        if e.wikidata:
            add(node, "akg:wikidata", e.wikidata)
            add(node, "owl:sameAs", NamedNode(f"http://www.wikidata.org/entity/{e.wikidata}"))
        if key in geonames:
            coords = gazetteer().coordinates(geonames[key])
            if coords:
                add(node, "geo:lat", lit(coords[0]))
                add(node, "geo:long", lit(coords[1]))
            add(node, "akg:geonamesId", str(geonames[key]))
            add(node, "skos:exactMatch", NamedNode(f"https://sws.geonames.org/{geonames[key]}/"))
    return quads
