"""The extraction commands of `archivekg`: scoring the extractor against the gold annotations."""
from __future__ import annotations

import click

from extract.evaluate import evaluate, format_report


@click.command("eval")
@click.option("--gold", "gold_folder", default="tests/gold", show_default=True, type=click.Path(exists=True),
              help="Folder of gold annotation files (*.json).")
@click.option("--errors", is_flag=True, help="List every missed and spurious entity, event and relation.")
@click.option("--no-documents", is_flag=True, help="Leave out the per-document table.")
def evaluate_command(gold_folder: str, errors: bool, no_documents: bool) -> None:
    """Precision, recall and F1 of mentions, entities, events, relations and dates against the gold."""
    reports, heldout = evaluate(gold_folder)
    click.echo(format_report(reports, heldout, per_document=not no_documents, show_errors=errors))
