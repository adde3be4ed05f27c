"""Extraction quality against the hand-made gold: the scores may not fall below today's."""
from __future__ import annotations

import pytest

from conftest import run_archivekg
from extract.evaluate import Report, evaluate_all
from extract.pipeline import Extractor, ExtractorConfig

# Scores of 2026-11-23 over the 45 files (see README), less a little for harmless drift. Raise them when the
# extractor improves.
FLOORS = {
    "all": {"entities": 0.87, "events+relations": 0.73, "events+args": 0.62, "mentions": 0.84, "dates": 0.90},
    "development": {"entities": 0.88, "events+relations": 0.78, "events+args": 0.66},
    "held-out": {"entities": 0.85, "events+relations": 0.56, "events+args": 0.47},
}
# The one known false merge, a choice of the authority file (extract/authority.toml): bare "Azerbaijan" is
# Iranian Azerbaijan, and one Soviet signature ("Secretary of the Party CC of Azerbaijan Bagirov") means the SSR.
KNOWN = ("place/iranian-azerbaijan joins place/azerbaijan-ssr (Azerbaijan); ",)


@pytest.fixture(scope="module")
def scores(extractor) -> dict[str, Report]:
    reports, heldout, _ = evaluate_all("tests/gold", extractor)
    groups = {"all": Report(), "development": Report(), "held-out": Report()}
    for doc_id, report in reports.items():
        groups["all"].add(report)
        groups["held-out" if heldout[doc_id] else "development"].add(report)
    return groups


@pytest.mark.parametrize("group", FLOORS)
def test_scores_do_not_fall(scores, group):
    for measure, floor in FLOORS[group].items():
        score = scores[group].event_relation if measure == "events+relations" else scores[group].measures[measure]
        assert score.f1 >= floor, f"{group} {measure}: F1 {score.f1:.3f} fell below {floor}"


def test_precision_comes_first(scores):
    """A historian's trust: wrong events and relations are rarer than missed ones."""
    assert scores["all"].event_relation.precision >= 0.87
    assert scores["all"].measures["relations"].precision >= 0.91


def test_eval_command_prints_the_tables():
    out = run_archivekg("eval", "--gold", "tests/gold").stdout
    for heading in ("== all", "== development", "== held-out", "== event types", "== per document"):
        assert heading in out
    assert "000-9af72bc09fc97839" in out and "Disarmament" in out


@pytest.mark.parametrize("without_authority", [False, True])
def test_clustering_makes_no_false_merges(without_authority):
    """One person, one node: with the authority file, F1 >= 0.95; without it, F1 >= 0.90 and never a wrong merge."""
    config = ExtractorConfig(authority_file=None) if without_authority else ExtractorConfig()
    _, _, clustering = evaluate_all("tests/gold", Extractor(config))
    for group in ("all", "held-out"):
        wrong = [f for f in clustering[group].false_merges if not f.startswith(KNOWN)]
        assert wrong == [], wrong
        assert clustering[group].pairwise.f1 >= (0.90 if without_authority else 0.95)
        if not without_authority:
            assert clustering[group].bcubed_f1 >= 0.95
