"""The SPARQL 1.1 Service Description of the endpoint: what GET /sparql answers an RDF client."""
from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from graph.formats import DESCRIPTION_FORMATS, W3C_FORMATS
from graph.iris import PREFIXES, lit, term

SD = PREFIXES["sd"]
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"]


def service_description(pages, endpoint: str) -> list[Triple]:
    """sd:Service with its endpoint, language, result formats, features, and the dataset it serves:
    the union of all named graphs as the default graph, each named graph with its size."""
    service, dataset, default = BlankNode(), BlankNode(), BlankNode()
    triples = [Triple(service, term("rdf:type"), term("sd:Service")),
               Triple(service, term("sd:endpoint"), NamedNode(endpoint)),
               Triple(service, term("sd:supportedLanguage"), term("sd:SPARQL11Query")),
               Triple(service, term("sd:feature"), term("sd:UnionDefaultGraph")),
               Triple(service, term("sd:feature"), term("sd:BasicFederatedQuery")),
               Triple(service, term("sd:defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
               Triple(service, term("dcterms:description"), Literal(
                   "Read-only SPARQL 1.1 endpoint; each query runs under a time limit.", language="en")),
               Triple(service, term("sd:defaultDataset"), dataset),
               Triple(dataset, term("rdf:type"), term("sd:Dataset")),
               Triple(dataset, term("rdfs:seeAlso"), NamedNode(pages.iri("dataset"))),
               Triple(dataset, term("sd:defaultGraph"), default),
               Triple(default, term("rdf:type"), term("sd:Graph"))]
    for name in RESULT_FORMATS + [f.w3c for f in DESCRIPTION_FORMATS]:
        triples.append(Triple(service, term("sd:resultFormat"), NamedNode(W3C_FORMATS + name)))
    total = 0
    for graph, size in pages.graph_sizes():
        named, node = BlankNode(), BlankNode()
        total += size
        triples += [Triple(dataset, term("sd:namedGraph"), named),
                    Triple(named, term("rdf:type"), term("sd:NamedGraph")),
                    Triple(named, term("sd:name"), NamedNode(graph)),
                    Triple(named, term("sd:graph"), node),
                    Triple(node, term("rdf:type"), term("sd:Graph")),
                    Triple(node, term("void:triples"), lit(size))]
    triples.append(Triple(default, term("void:triples"), lit(total)))
    return triples
