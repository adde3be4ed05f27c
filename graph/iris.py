"""Every IRI the project mints or reads, in one place.

Dataset IRIs hang under a configurable base so that a deployment's IRIs dereference on its own
server; the ontology namespace is fixed so that saved queries never break.
"""
from __future__ import annotations

import os
import re
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

AKG = "https://w3id.org/archivekg/ns#"
ONTOLOGY_IRI = "https://w3id.org/archivekg/ns"
DEFAULT_BASE = "https://kg.example/"
SPAN = re.compile(r"/[sm]/(\d+)-(\d+)(?:/[a-z]+)?$")

PREFIXES = {
    "akg": AKG,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}



def sparql_prefixes() -> str:
    """The PREFIX lines every query of ours (and the README's examples) starts with."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def iri_list(iris) -> str:
    """IRIs written for a SPARQL VALUES clause, in a fixed order: "<a> <b>"."""
    return " ".join(f"<{i}>" for i in sorted(iris))


def short(iri: str) -> str:
    """akg:agent for a vocabulary IRI, the IRI itself otherwise."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and "/" not in iri[len(ns):] and "#" not in iri[len(ns):]:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def term(prefixed: str) -> NamedNode:
    """`term("akg:Person")` -> NamedNode; one spelling for vocabulary terms in code and in queries."""
    prefix, local = prefixed.split(":", 1)
    return NamedNode(PREFIXES[prefix] + local)


def lit(value, datatype: str | None = None) -> Literal:
    """A Python value as a typed literal: booleans, integers, decimals (2 places), else a string
    (or the given XSD datatype's local name)."""
    xsd = PREFIXES["xsd"]
    if isinstance(value, bool):
        return Literal(str(value).lower(), datatype=NamedNode(xsd + "boolean"))
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(xsd + "integer"))
    if isinstance(value, float):
        return Literal(f"{value:.2f}", datatype=NamedNode(xsd + "decimal"))
    return Literal(value, datatype=NamedNode(xsd + datatype)) if datatype else Literal(value)


def configured_base(base: str | None = None) -> str:
    """The dataset base: the argument, else $ARCHIVEKG_BASE, else the placeholder; always ends in '/'."""
    base = base or os.environ.get("ARCHIVEKG_BASE") or DEFAULT_BASE
    return base if base.endswith("/") else base + "/"


class Minter:
    """Mints the dataset IRIs of one deployment base. Path segments are always slugs or numbers."""

    def __init__(self, base: str | None = None):
        self.base = configured_base(base)

    def iri(self, path: str) -> NamedNode:
        return NamedNode(self.base + quote(path, safe="/-_.~"))

    def entity(self, key: str) -> NamedNode:
        return self.iri(key)

    def file(self, file_id: str) -> NamedNode:
        return self.iri(f"file/{file_id}")

    def file_graph(self, file_id: str) -> NamedNode:
        return self.iri(f"graph/{file_id}")

    def corpus_graph(self) -> NamedNode:
        return self.iri("graph/corpus")

    def void_graph(self) -> NamedNode:
        return self.iri("graph/void")

    def provenance_graph(self) -> NamedNode:
        return self.iri("graph/provenance")

    def dataset(self) -> NamedNode:
        return self.iri("dataset")

    def activity(self, stamp: str) -> NamedNode:
        return self.iri(f"build/{stamp}")

    def doc(self, doc_id: str) -> NamedNode:
        return self.iri(f"doc/{doc_id}")

    def sentence(self, doc_id: str, start: int, end: int) -> NamedNode:
        return self.iri(f"doc/{doc_id}/s/{start}-{end}")

    def mention(self, doc_id: str, start: int, end: int, part: str = "") -> NamedNode:
        return self.iri(f"doc/{doc_id}/m/{start}-{end}" + (f"/{part}" if part else ""))

    def event(self, doc_id: str, n: int) -> NamedNode:
        return self.iri(f"event/{doc_id}-{n}")

    def local_path(self, iri: str) -> str | None:
        """The path of a dataset IRI relative to the base ("person/bagirov"), or None if foreign."""
        return iri[len(self.base):] if iri.startswith(self.base) else None


def span_of(iri: str) -> tuple[int, int] | None:
    """The character offsets a sentence or mention IRI carries (`…/s/120-245`, `…/m/130-139`), as minted
    above: pages read them from the IRI instead of joining the selectors."""
    m = SPAN.search(iri)
    return (int(m.group(1)), int(m.group(2))) if m else None


def ontology_graph() -> NamedNode:
    return NamedNode(ONTOLOGY_IRI)


def jsonld_context() -> dict:
    """The JSON-LD context of every JSON-LD we write, served at /ns/context.jsonld: our prefixes."""
    return {"@context": dict(PREFIXES)}
