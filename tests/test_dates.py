"""Dates as the archive writes them, resolved against the document's own date."""
from __future__ import annotations

import pytest

from extract.dates import find_date, find_dates, page_date


@pytest.mark.parametrize("text, reference, iso, precision", [
    ("on 17 November during the disarmament", "1945-11-20", "1945-11-17", "day"),  # seed 001
    ("today 22 November he introduced martial law", "1945-11-23", "1945-11-22", "day"),  # seed 000
    ("at 1100 on 25 November", "1945-11-26", "1945-11-25", "day"),
    ("as of 2200 22 November.", "1945-11-23", "1945-11-22", "day"),
    ("December 1945", None, "1945-12", "month"),
    ("On the evening of the 4th of April a meeting was held", "1946-04-05", "1946-04-04", "day"),
    ("on April 4 meeting with Pishevari", "1946-04-05", "1946-04-04", "day"),
    ("FROM BAKU 23 November 1945", None, "1945-11-23", "day"),
    ("Received via VCh 21 Nov 1945", None, "1945-11-21", "day"),
])
def test_dates_resolve_against_the_document(text, reference, iso, precision):
    found = find_date(text, reference)
    assert (found.iso, found.precision) == (iso, precision)
    assert text[found.start:found.end] == found.text


def test_a_day_later_than_the_document_is_a_warning_not_a_year_shift():
    found = find_date("on 25 December the partisans entered the city", "1945-11-23")
    assert found.iso == "1945-12-25" and "later than the document date" in found.warning


def test_a_day_without_a_year_needs_the_document_date():
    assert find_dates("on 17 November", None) == []


def test_page_date_lines():
    assert page_date("November 23, 1945") == ("1945-11-23", "day")
    assert page_date("July, 1945") == ("1945-07", "month")
    assert page_date("1944") == ("1944", "year")
    assert page_date("Telegram from Baku") is None
