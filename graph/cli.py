"""The graph commands of `archivekg`: build the store from files, query it from the terminal."""
from __future__ import annotations

import sys
from pathlib import Path
from collections import Counter

import click
from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from graph.formats import BY_NAME
from graph.iris import Minter, ontology_graph, term
from graph.publish import DatasetInfo, export as export_store
from graph.remote import is_remote, mirror_of, push
from graph.entities import entity_rows, explain
from graph.iris import PREFIXES
from graph.store import DEFAULT_STORE, StoreError, open_store, stored_base

STORE_OPTION = click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True,
                            help="Oxigraph store folder.")
WRITE_STORE_OPTION = click.option(
    "--store", "store_path", default=DEFAULT_STORE, show_default=True,
    help="Oxigraph store folder, or the Graph Store Protocol URL of a SPARQL store to load into "
         "(http://host:7878/store for an Oxigraph server, http://host:3030/ds/data for Fuseki).")
MIRROR_OPTION = click.option("--mirror", default=None, type=click.Path(file_okay=False),
                             help="With a store URL: the local store it is built in (default data/mirrors/HOST-PORT-PATH).")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@WRITE_STORE_OPTION
@MIRROR_OPTION
@click.option("--base", default=None, help="Base of dataset IRIs (default $ARCHIVEKG_BASE or https://kg.example/).")
@click.option("--max-bytes", default=5_000_000, show_default=True, type=int, help="Larger files are skipped.")
@click.option("--license", "license_", default=None,
              help="IRI of the dataset's license (default $ARCHIVEKG_LICENSE, else CC0 1.0).")
@click.option("--force", is_flag=True, help="Read every file again, even those unchanged since their last build.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1),
              help="Processes reading files in parallel (each loads the spaCy model: about 200 MB).")
@click.option("--dask", default=None, metavar="ADDRESS",
              help="Read the files on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for "
                   "a cluster of --workers processes here.")
def build(paths: tuple[str, ...], store_path: str, mirror: str | None, base: str | None, max_bytes: int,
          license_: str | None, force: bool, workers: int, dask: str | None) -> None:
    """Build (or rebuild) the graph of the given files and folders into the store.

    A file whose content and extractor are unchanged since it was built is not read again.
    Exit status: 0 when every file was built, 1 when some were skipped, 2 when none could be built.
    """
    sys.exit(run_build(paths, store_path, mirror, base, max_bytes, license_, force, workers, dask))


def run_build(paths: tuple[str, ...], store_path: str, mirror: str | None, base: str | None, max_bytes: int,
              license_: str | None, force: bool = False, workers: int = 1, dask: str | None = None,
              prepare=None) -> int:
    """The build command's work; returns its exit status."""
    from extract.pipeline import Extractor, ExtractorConfig  # spaCy loads only for the commands that need it
    from graph.build import build as build_store

    echo = lambda line: click.echo(line, err=True)  # noqa: E731
    try:
        report = build_store(list(paths), _local(store_path, mirror), base=base, echo=echo,
                             extractor=Extractor(ExtractorConfig(max_bytes=max_bytes)),
                             info=DatasetInfo(license=license_) if license_ else None, force=force,
                             workers=workers, dask=dask, prepare=prepare)
        _push(store_path, mirror, force, echo)
    except StoreError as err:
        raise click.ClickException(str(err))
    unchanged = f", {len(report.unchanged)} unchanged" if report.unchanged else ""
    click.echo(f"built {len(report.built)} file(s){unchanged}: {report.documents} documents, {report.mentions} mentions, "
               f"{report.events} events; store {store_path} now holds {_holdings(report)}")
    return _skipped(report, done=report.built or report.unchanged)


def _local(store_path: str, mirror: str | None) -> str:
    """The folder a command writes: the store's own, or a remote store's local mirror."""
    return str(mirror or mirror_of(store_path)) if is_remote(store_path) else store_path


def _push(store_path: str, mirror: str | None, force: bool, echo) -> None:
    if is_remote(store_path):
        push(Path(_local(store_path, mirror)), store_path, echo=echo, force=force)


def _holdings(report) -> str:
    entities = ", ".join(f"{n} {t.lower()}s" for t, n in sorted(report.entities.items())) or "no entities"
    return f"{entities} ({report.quads} quads)"


def _skipped(report, done) -> int:
    """Report what was skipped; the exit status: 0 nothing skipped, 1 some, 2 nothing done."""
    if not report.skipped:
        return 0
    click.echo(f"skipped {len(report.skipped)}:", err=True)
    for line in report.skipped:
        click.echo(f"  {line}", err=True)
    return 1 if done else 2


@click.command()
@click.argument("files", nargs=-1, required=True)
@WRITE_STORE_OPTION
@MIRROR_OPTION
def remove(files: tuple[str, ...], store_path: str, mirror: str | None) -> None:
    """Drop the graphs of the given files (paths, names or file ids) from the store.

    Entities that only these files named leave the store; every other IRI stays.
    Exit status: 0 all removed, 1 some were not in the store, 2 none were.
    """
    sys.exit(run_remove(files, store_path, mirror))


def run_remove(files: tuple[str, ...], store_path: str, mirror: str | None, prepare=None) -> int:
    from graph.build import remove as remove_files

    echo = lambda line: click.echo(line, err=True)  # noqa: E731
    try:
        report = remove_files(list(files), _local(store_path, mirror), echo=echo, prepare=prepare)
        _push(store_path, mirror, False, echo)
    except StoreError as err:
        raise click.ClickException(str(err))
    click.echo(f"removed {len(report.removed)} file(s); store {store_path} now holds {_holdings(report)}")
    return _skipped(report, done=report.removed)


@click.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice([*BY_NAME, "quickstatements"]), default="nquads", show_default=True)
@click.option("--graph", "graph_name", default=None,
              help="Only this named graph: a file or document id (as in /doc/ID; a listing record gives its page's "
                   "graph), 'corpus', 'ontology', 'void', 'provenance', or a graph IRI.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output.")
@click.option("--target", default="wikidata", show_default=True,
              help="QuickStatements only: 'wikidata' or a mapping file (TOML) for another Wikibase.")
@click.option("--retrieved", default=None, metavar="YYYY-MM-DD",
              help="QuickStatements only: the day the sources were read (S813), default today.")
def export(store_path: str, fmt: str, graph_name: str | None, out: str | None, target: str,
           retrieved: str | None) -> None:
    """Write the store (or one graph) as RDF, streamed, or as QuickStatements for Wikidata-style tools."""
    try:
        store = open_store(store_path, read_only=True)
    except StoreError as err:
        raise click.ClickException(str(err))
    stream = open(out, "wb") if out else sys.stdout.buffer
    try:
        if fmt == "quickstatements":
            from graph.quickstatements import Mapping, quickstatements

            skipped: Counter = Counter()
            try:
                mapping = Mapping.load(target)
                for line in quickstatements(store, mapping, retrieved, skipped):
                    stream.write(line.encode("utf-8") + b"\n")
            except ValueError as err:
                raise click.ClickException(str(err))
            for reason, n in sorted(skipped.items()):
                click.echo(f"left out {n}: {reason}", err=True)
        else:
            export_store(store, BY_NAME[fmt], stream, _graph(store, graph_name) if graph_name else None)
    finally:
        if out:
            stream.close()
        else:
            stream.flush()


def _graph(store, name: str):
    """The named graph a user means by a file id, 'corpus', 'ontology' or an IRI; an error if the store has none."""
    minter = Minter(stored_base(store))
    graph = {"corpus": minter.corpus_graph(), "ontology": ontology_graph(), "void": minter.void_graph(),
             "provenance": minter.provenance_graph()}.get(name)
    if graph is None:
        graph = NamedNode(name) if ":" in name else minter.file_graph(name)
    if not store.contains_named_graph(graph) and ":" not in name:  # a listing record's id: its file's graph
        files = list(store.quads_for_pattern(minter.doc(name), term("akg:sourceFile"), None))
        if files:
            graph = files[0].graph_name
    if not store.contains_named_graph(graph):
        raise click.ClickException(f"the store has no graph {graph.value} (give a file id as in /doc/ID, "
                                   "'corpus', 'ontology' or a graph IRI)")
    return graph


@click.command()
@click.argument("sparql")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"]),
              default="table", show_default=True)
def query(sparql: str, store_path: str, fmt: str) -> None:
    """Run a SPARQL query on the store (all graphs as the default graph; the akg:, rdfs:, ... prefixes are known)."""
    try:
        store = open_store(store_path, read_only=True)
        result = store.query(sparql, use_default_graph_as_union=True,
                             prefixes=PREFIXES)
    except StoreError as err:
        raise click.ClickException(str(err))
    except SyntaxError as err:
        raise click.ClickException(f"query error: {err}")
    if isinstance(result, QueryBoolean):
        click.echo("true" if bool(result) else "false")
    elif isinstance(result, QuerySolutions):
        if fmt == "table":
            _print_table(result)
        else:
            formats = {"csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV, "json": QueryResultsFormat.JSON,
                       "xml": QueryResultsFormat.XML}
            click.echo(result.serialize(format=formats.get(fmt, QueryResultsFormat.TSV)).decode())
    else:
        rdf = RdfFormat.N_TRIPLES if fmt == "ntriples" else RdfFormat.TURTLE
        click.echo(result.serialize(format=rdf).decode())


def _print_table(solutions: QuerySolutions) -> None:
    names = [v.value for v in solutions.variables]
    rows = [[_show(s[n]) for n in names] for s in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)))
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _show(term) -> str:
    return "" if term is None else term.value


@click.command()
@STORE_OPTION
@click.option("--explain", "name", default=None, help="Show the entities a name belongs to and why each name joined.")
@click.option("--type", "type_", type=click.Choice(["Person", "Place", "Organization", "Group"]), default=None)
def entities(store_path: str, name: str | None, type_: str | None) -> None:
    """List the entities of the store, or explain one: its names as written, their documents, each link's reason."""
    try:
        store = open_store(store_path, read_only=True)
    except StoreError as err:
        raise click.ClickException(str(err))
    if name is None:
        for row in entity_rows(store, type_):
            click.echo(f"{row['iri']}\t{row['type']}\t{row['label']}\t{row['mentions']} mentions")
        return
    found = explain(store, name, type_)
    if not found:
        raise click.ClickException(f"no entity has a name containing {name!r}")
    for entity in found:
        click.echo(f"{entity['label']}  ({entity['type']})  {entity['iri']}")
        for link in entity["same_as"]:
            click.echo(f"  same as {link}  (from the authority file)")
        for written in entity["names"]:
            docs = ", ".join(written["documents"])
            click.echo(f"  {written['name']!r} x{written['count']} in {docs}")
            for reason in written["reasons"]:
                click.echo(f"      because {reason}")
        click.echo("")
