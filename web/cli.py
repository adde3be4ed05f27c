"""The `archivekg` command. It lives in `web`, the outermost layer, because it composes all three."""
from __future__ import annotations

import sys

import click

from extract.cli import evaluate_command
from graph.cli import build, entities, export, query, remove, run_build, run_remove
from graph.store import DEFAULT_STORE
from graph.validate import validate_command


@click.group()
def main() -> None:
    """archivekg: declassified archive documents to a knowledge graph."""


def _then_precompute(run):
    """A store-changing command whose new version gets the entity pages rendered (web.precompute) before
    it is published."""

    def command(**options) -> None:
        def prepare(version, previous, touched) -> None:
            from web.precompute import precompute_pages

            precompute_pages(version, echo=lambda line: click.echo(line, err=True), previous=previous,
                             touched=touched)

        sys.exit(run(**options, prepare=prepare))

    return command


for _command, _run in ((build, run_build), (remove, run_remove)):
    main.add_command(click.Command(_command.name, params=_command.params, callback=_then_precompute(_run),
                                   help=_command.help))
main.add_command(query)
main.add_command(entities)
main.add_command(export)
main.add_command(evaluate_command)
main.add_command(validate_command)


@main.command()
@click.option("--store", "store_path", default=DEFAULT_STORE, show_default=True, help="Oxigraph store folder.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--query-timeout", default=10.0, show_default=True, type=float,
              help="Seconds a SPARQL query may run before its worker is killed.")
@click.option("--query-workers", default=None, type=int,
              help="Worker processes that run SPARQL queries, split between the serving processes "
                   "(default: two for each, so a runaway query never holds up the others).")
@click.option("--web-workers", default=None, type=int,
              help="Serving processes (default: one per core, at most 4).")
def serve(store_path: str, host: str, port: int, query_timeout: float, query_workers: int | None,
          web_workers: int | None) -> None:
    """Serve the SPARQL endpoint and the entity pages (gunicorn, not Flask's debug server)."""
    from web.server import run_server

    run_server(store_path, host=host, port=port, query_timeout=query_timeout, query_workers=query_workers,
               web_workers=web_workers)
