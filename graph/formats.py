"""The one table of RDF serializations: name, pyoxigraph format, media types and file suffix.

The export command, the build's dumps, the entity twins and the content negotiation of the app all
read it (as Datasette's renderers table), so a format is added in one row.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat

from graph.iris import PREFIXES

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    name: str  # as the user types it: `--format turtle`, `?format=turtle`
    label: str  # as people write it
    w3c: str  # its name under http://www.w3.org/ns/formats/ (VoID features, SPARQL service description)
    rdf: RdfFormat
    media_type: str  # what we send
    suffix: str  # `.ttl` twins and dumps
    aliases: tuple[str, ...] = ()  # other media types that ask for it
    charset: bool = False  # a text/* type, sent with "; charset=utf-8"

    @property
    def quads(self) -> bool:
        """Keeps named graphs, so a dump of the whole store in it keeps each document's graph."""
        return self.rdf.supports_datasets

    @property
    def prefixes(self) -> dict[str, str] | None:
        """Our prefixes, for the formats that abbreviate IRIs with them."""
        return PREFIXES if self.rdf in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N3, RdfFormat.RDF_XML,
                                        RdfFormat.JSON_LD) else None

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.charset else "")

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RDF_FORMATS = [
    Format("ntriples", "N-Triples", "N-Triples", RdfFormat.N_TRIPLES, "application/n-triples", "nt", ("text/plain",)),
    Format("turtle", "Turtle", "Turtle", RdfFormat.TURTLE, "text/turtle", "ttl", ("application/x-turtle",), charset=True),
    Format("jsonld", "JSON-LD", "JSON-LD", RdfFormat.JSON_LD, "application/ld+json", "jsonld", ("application/json",)),
    Format("rdfxml", "RDF/XML", "RDF_XML", RdfFormat.RDF_XML, "application/rdf+xml", "rdf",
           ("application/xml", "text/xml")),
    Format("n3", "N3", "N3", RdfFormat.N3, "text/n3", "n3", ("text/rdf+n3",), charset=True),
    Format("nquads", "N-Quads", "N-Quads", RdfFormat.N_QUADS, "application/n-quads", "nq"),
    Format("trig", "TriG", "TriG", RdfFormat.TRIG, "application/trig", "trig"),
]
BY_NAME = {f.name: f for f in RDF_FORMATS}
BY_SUFFIX = {f.suffix: f for f in RDF_FORMATS}
BY_MEDIA_TYPE = {m: f for f in RDF_FORMATS for m in f.media_types}
# What an entity, the dataset description or the service description can be had as, in the server's
# order of preference when a client accepts several equally: N-Triples first, because every RDF parser
# reads it (an N-Quads or Turtle parser too), so a client that lists every type it knows can parse it.
DESCRIPTION_FORMATS = RDF_FORMATS


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """(media type, q) pairs of an Accept header, parameters other than q ignored.

    `application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"` asks for JSON-LD: the profile
    is a wish about its form, not another media type."""
    accepted = []
    for part in (header or "*/*").split(","):
        items = [p.strip() for p in part.split(";")]
        media = items[0].lower()
        if not media:
            continue
        q = 1.0
        for param in items[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        accepted.append((media, q))
    return accepted


def best_media_type(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers most (its q, then our order), or None: 406.

    Specific types outrank ranges ('text/*', '*/*') for the same type, as RFC 9110 says."""
    accepted = parse_accept(header)
    best, best_key = None, None
    for order, media in enumerate(offered):
        major = media.split("/")[0]
        q = next((q for m, q in accepted if m == media), None)
        if q is None:
            q = next((q for m, q in accepted if m == f"{major}/*"), None)
        if q is None:
            q = next((q for m, q in accepted if m == "*/*"), None)
        if q is None or q <= 0:
            continue
        key = (q, -order)
        if best_key is None or key > best_key:
            best, best_key = media, key
    return best
