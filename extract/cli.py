"""The extraction commands of `archivekg`: scoring the extractor against the gold annotations."""
from __future__ import annotations

import click


@click.command("eval")
@click.option("--gold", "gold_folder", default="tests/gold", show_default=True, type=click.Path(exists=True),
              help="Folder of gold annotation files (*.json).")
@click.option("--errors", is_flag=True, help="List every missed and spurious entity, event and relation.")
@click.option("--no-documents", is_flag=True, help="Leave out the per-document table.")
@click.option("--without-authority", is_flag=True,
              help="Find and resolve names without the authority file, to measure the extractor on uncurated names.")
def evaluate_command(gold_folder: str, errors: bool, no_documents: bool, without_authority: bool) -> None:
    """Precision, recall and F1 of mentions, entities, events, relations, dates and entity clustering."""
    from extract.evaluate import evaluate_all, format_report  # spaCy loads only for the commands that need it
    from extract.pipeline import Extractor, ExtractorConfig

    config = ExtractorConfig(authority_file=None) if without_authority else ExtractorConfig()
    reports, heldout, clustering = evaluate_all(gold_folder, Extractor(config))
    click.echo(format_report(reports, heldout, per_document=not no_documents, show_errors=errors,
                             clustering=clustering))
