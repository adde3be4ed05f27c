"""Dates as written -> ISO dates with their precision, resolved against the document's own date."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import dateparser

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# The shapes archive texts use: "20 November 1945", "November 20, 1945", "21 Nov 1945", "July, 1945", "1944".
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MONTHS})\.?,? (\d{{4}})\b")
MONTH_DAY_YEAR = re.compile(rf"\b({MONTHS})\.? (\d{{1,2}}),? (\d{{4}})\b")
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MONTHS})\b(?!,? \d{{4}})")
MONTH_DAY = re.compile(rf"\b({MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b(?!,? \d{{4}})(?!\d)")
MONTH_YEAR = re.compile(rf"\b({MONTHS}),? (\d{{4}})\b")
SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False, "DATE_ORDER": "DMY"}


@dataclass(frozen=True)
class FoundDate:
    iso: str  # "1945-11-20", "1945-11", "1945"
    precision: str  # "day" | "month" | "year"
    start: int  # offsets within the searched text
    end: int
    text: str
    warning: str | None = None


@lru_cache(maxsize=4096)
def _parse(text: str) -> date | None:
    """dateparser's reading of a date as written; kept, since archives write the same dates over and over."""
    parsed = dateparser.parse(text, languages=["en"], settings=SETTINGS)
    return parsed.date() if parsed else None


def find_date(text: str, reference: str | None = None) -> FoundDate | None:
    """The first full or partial date in `text` (see `find_dates`)."""
    found = find_dates(text, reference)
    return min(found, key=lambda d: d.start) if found else None


def find_dates(text: str, reference: str | None = None) -> list[FoundDate]:
    """Every full or partial date in `text`; a day without a year takes the reference date's year.

    A day-month later than the reference date in a report is kept in the reference year with a warning
    rather than silently moved to the year before: the historian decides.
    """
    found: list[FoundDate] = []
    for pattern, precision in ((DAY_MONTH_YEAR, "day"), (MONTH_DAY_YEAR, "day"), (DAY_MONTH, "day"),
                               (MONTH_DAY, "day"), (MONTH_YEAR, "month")):
        for m in pattern.finditer(text):
            if any(m.start() < d.end and d.start < m.end() for d in found):
                continue
            date_ = _read(m.group(0), precision, pattern in (DAY_MONTH, MONTH_DAY), reference)
            if date_:
                iso, warning = date_
                found.append(FoundDate(iso, precision, m.start(), m.end(), m.group(0), warning))
    return found


def _read(written: str, precision: str, yearless: bool, reference: str | None) -> tuple[str, str | None] | None:
    warning = None
    if yearless:
        if not reference:
            return None
        parsed = _parse(f"{written} {reference[:4]}")
        if parsed and len(reference) == 10 and parsed.isoformat() > reference:
            warning = f"{written} is later than the document date {reference}"
    else:
        parsed = _parse(written)
    if not parsed:
        return None
    return (parsed.isoformat() if precision == "day" else parsed.isoformat()[:7]), warning


def page_date(text: str) -> tuple[str, str] | None:
    """A whole date line such as "November 23, 1945", "July, 1945" or "1944" -> (iso, precision)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return text, "year"
    found = find_date(text)
    return (found.iso, found.precision) if found and found.end - found.start == len(text) else None
