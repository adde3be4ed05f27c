"""The extraction commands of `archivekg`: scoring the extractor against the gold annotations."""
from __future__ import annotations

import click

from extract.evaluate import evaluate_all, format_report


@click.command("eval")
@click.option("--gold", "gold_folder", default="tests/gold", show_default=True, type=click.Path(exists=True),
              help="Folder of gold annotation files (*.json).")
@click.option("--errors", is_flag=True, help="List every missed and spurious entity, event and relation.")
@click.option("--no-documents", is_flag=True, help="Leave out the per-document table.")
@click.option("--without-authority", is_flag=True,
              help="Resolve names without the authority file, to measure the resolver on uncurated names.")
def evaluate_command(gold_folder: str, errors: bool, no_documents: bool, without_authority: bool) -> None:
    """Precision, recall and F1 of mentions, entities, events, relations, dates and entity clustering."""
    reports, heldout, clustering = evaluate_all(gold_folder, resolve_without_authority=without_authority)
    click.echo(format_report(reports, heldout, per_document=not no_documents, show_errors=errors,
                             clustering=clustering))
