"""SHACL validation of the store against ontology/shapes.ttl (`archivekg validate`).

All named graphs are merged into one rdflib graph, the ontology graph included, so that
`sh:targetClass akg:Event` reaches every subclass through rdfs:subClassOf and an entity's mentions
(in the file graphs) meet the entity (in the corpus graph). No inference is run: what is checked is
what the store asserts.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import rdflib
from pyoxigraph import RdfFormat, Store, serialize

from graph.cli import STORE_OPTION
from graph.iris import PREFIXES
from graph.store import StoreError, open_store

SHAPES_FILE = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass
class Violation:
    focus: str    # IRI of the node that fails
    path: str     # the property, prefixed ("akg:evidence", "^oa:hasBody" for an inverse path)
    message: str
    value: str | None = None  # the offending value, when there is one


@dataclass
class Report:
    conforms: bool
    nodes: int    # focus nodes checked (targets of the shapes)
    violations: list[Violation] = field(default_factory=list)


def store_graph(store: Store) -> rdflib.Graph:
    """The union of the store's graphs (ontology included) as one rdflib graph, carried over as N-Triples."""
    graph = rdflib.Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, replace=True)  # ours over rdflib's defaults (its geo: is GeoSPARQL)
    graph.parse(data=serialize((q.triple for q in store), format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def validate(store: Store, shapes_path: str | Path = SHAPES_FILE) -> Report:
    """Validate the whole store at once: about 4 s on the seeds store, so no per-graph splitting is needed."""
    import pyshacl  # a heavy import: only `archivekg validate` pays for it
    from pyshacl.shapes_graph import ShapesGraph

    data = store_graph(store)
    shapes = rdflib.Graph().parse(str(shapes_path), format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", inplace=True)
    nodes = set().union(*(s.focus_nodes(data) for s in ShapesGraph(shapes).shapes))
    violations = [
        Violation(focus=str(results.value(r, SH.focusNode)), path=_path(results, results.value(r, SH.resultPath), data),
                  message=str(results.value(r, SH.resultMessage) or ""),
                  value=_show(results.value(r, SH.value), data))
        for r in results.subjects(SH.resultSeverity, SH.Violation)]
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return Report(conforms=conforms, nodes=len(nodes), violations=violations)


def _path(results: rdflib.Graph, path, data: rdflib.Graph) -> str:
    inverse = results.value(path, SH.inversePath) if isinstance(path, rdflib.BNode) else None
    return "^" + _show(inverse, data) if inverse is not None else _show(path, data) or ""


def _show(node, data: rdflib.Graph) -> str | None:
    """Vocabulary terms prefixed (akg:evidence), dataset IRIs in full (<https://kg.example/...>)."""
    return None if node is None else node.n3(data.namespace_manager)


@click.command("validate")
@STORE_OPTION
@click.option("--shapes", "shapes_path", default=str(SHAPES_FILE), show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="SHACL shapes (Turtle).")
def validate_command(store_path: str, shapes_path: str) -> None:
    """Check the store against the SHACL shapes; exit 1 and list the violations when it does not conform."""
    try:
        store = open_store(store_path, read_only=True)
    except StoreError as err:
        raise click.ClickException(str(err))
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # an ill-typed literal is reported below, not traced
    report = validate(store, shapes_path)
    for v in report.violations:
        click.echo(f"{v.focus}  {v.path}  {v.message}" + (f"  (value {v.value})" if v.value else ""))
    click.echo(f"{report.nodes} nodes checked against {shapes_path}: "
               + ("the graph conforms" if report.conforms else f"{len(report.violations)} violation(s)"))
    sys.exit(0 if report.conforms else 1)
