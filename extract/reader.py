"""Reading input files: bytes -> checked text -> `SourceDocument`s with exact offsets.

Every `Field` points into `SourceFile.text` as decoded (no newline or BOM normalisation), with
surrounding whitespace trimmed by moving its offsets, never by altering its text.  The parsers rely
on the archive's layout markers (boilerplate lines, date lines, "FROM <CITY> <date>" headers,
"to ..." addressee lines, "Received via", "Document Information"), not on any particular page.

Layouts: Wilson Center pages and their mirror (`_parse_page`); its search-results listings, with or
without bullets (`_parse_listing`); telegrams and despatches printed without the site's frame
(`_parse_despatch`): FRUS telegrams ("891.00/10–546: Telegram" first), British cables ("FROM TEHRAN TO
FOREIGN OFFICE" among the first lines) and Qatar Digital Library OCR transcriptions (after "This
transcription is created automatically."); anything else is plain text.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from extract.names import ascii_slug
from extract.records import Field, SourceDocument, SourceFile

MANIFEST = "INDEX.tsv"


class InputError(Exception):
    """An input file that cannot be used, and why: shown to the user as `path: problem`."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


# ---------------------------------------------------------------------------------------------
# Files, folders and the manifest


def slug(text: str) -> str:
    """Lower-case ASCII slug of [a-z0-9-], stable across rebuilds, from a file name in any script."""
    return ascii_slug(text, "file")


def load_manifest(folder: str | Path) -> dict[str, dict]:
    """The folder's INDEX.tsv (file, source_url, date, title, note) keyed by file name; {} if none."""
    index = Path(folder) / MANIFEST
    if not index.is_file():
        return {}
    try:
        with index.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            if not reader.fieldnames or "file" not in reader.fieldnames:
                raise InputError(index, "manifest has no 'file' column")
            rows = {}
            for row in reader:
                clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
                if clean.get("file"):
                    rows[clean["file"]] = clean
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(index, f"cannot read manifest: {err}") from err


def _manifest_row(path: str | Path) -> dict:
    path = Path(path)
    return load_manifest(path.parent).get(path.name, {})


def _skipped_in_folder(rel: Path) -> bool:
    """Hidden files and folders, and the folder's own documentation, are not input."""
    if any(part.startswith(".") for part in rel.parts):
        return True
    return rel.name == MANIFEST or rel.name.upper().startswith("README")


def input_files(paths) -> list[Path]:
    """The files to read: named files as given, folders walked recursively in sorted order."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            candidates = sorted(
                (p for p in path.rglob("*") if p.is_file() and not _skipped_in_folder(p.relative_to(path))),
                key=lambda p: p.relative_to(path).parts,
            )
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _looks_binary(data: bytes) -> str | None:
    """Why the bytes are not text, if they are not: NUL bytes or many control characters."""
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    controls = sum(1 for b in data if (b < 0x20 and b not in b"\t\n\r\x0b\x0c") or b == 0x7F)
    if controls and controls / len(data) > 0.05:
        return f"binary file ({controls} control characters in {len(data)} bytes)"
    return None


def read_file(path: str | Path, max_bytes: int = 5_000_000) -> SourceFile:
    """Read one input file as exact UTF-8 text, refusing what cannot be an archive page."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(path, f"too large: {size} bytes, limit {max_bytes}")
        data = path.read_bytes()
    except IsADirectoryError as err:
        raise InputError(path, "cannot read: is a folder") from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    if len(data) > max_bytes:
        raise InputError(path, f"too large: {len(data)} bytes, limit {max_bytes}")
    if not data:
        raise InputError(path, "empty file (0 bytes)")
    problem = _looks_binary(data)
    if problem:
        raise InputError(path, problem)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8: invalid byte 0x{data[err.start]:02x} at byte offset {err.start}") from err
    if not _trim(text, 0, len(text)):
        raise InputError(path, "empty file (only whitespace)")
    return SourceFile(
        file_id=slug(path.stem),
        path=str(path),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        source_url=_manifest_row(path).get("source_url") or None,
        rights=rights_statement(text),
    )


_RIGHTS = re.compile(r"^[ \t]*(?:Rights[ \t]*\n\s*)?(?P<text>(?:The History and Public Policy Program welcomes reuse|"
                     r"Some documents may be subject to copyright)[^\n]*)", re.MULTILINE)


def rights_statement(text: str) -> str | None:
    """The archive's rights statement ('... welcomes reuse of Digital Archive materials ...'), if printed."""
    m = _RIGHTS.search(text)
    return " ".join(m.group("text").split()) if m else None


# ---------------------------------------------------------------------------------------------
# Lines and fields


@dataclass(frozen=True)
class Line:
    """One non-blank line, trimmed; `no` is its physical line number, so blank gaps can be seen."""

    start: int
    end: int
    text: str
    no: int


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in "\ufeff\u200b"


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def _field(text: str, start: int, end: int) -> Field | None:
    """A Field over text[start:end] with surrounding whitespace trimmed off (offsets moved)."""
    span = _trim(text, start, end)
    return Field(span[0], span[1], text[span[0]:span[1]]) if span else None


def _lines(text: str) -> list[Line]:
    """The non-blank lines; "\\r\\n", "\\r" and "\\n" all end a line."""
    out, pos, no = [], 0, 0
    for m in [*re.finditer(r"\r\n|\r|\n", text), None]:
        end = m.start() if m else len(text)
        span = _trim(text, pos, end)
        if span:
            out.append(Line(span[0], span[1], text[span[0]:span[1]], no))
        if m:
            pos, no = m.end(), no + 1
    return out


def _paragraphs(lines: list[Line], by_line: bool) -> list[list[Line]]:
    """Paragraphs are runs of lines between blank lines; in a layout without blank lines, lines.

    A list label alone on its line ('1.', '- 2.') starts a paragraph and takes the line after it.
    """
    groups: list[list[Line]] = []
    for line in lines:
        prev = groups[-1][-1] if groups else None
        if prev and len(groups[-1]) == 1 and _LIST_LABEL.match(prev.text):
            groups[-1].append(line)
        elif prev and not by_line and line.no == prev.no + 1 and not _LIST_LABEL.match(line.text):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _has_blank_gaps(lines: list[Line]) -> bool:
    return any(b.no - a.no > 1 for a, b in zip(lines, lines[1:]))


def _span(text: str, lines: list[Line]) -> Field:
    return Field(lines[0].start, lines[-1].end, text[lines[0].start:lines[-1].end])


# ---------------------------------------------------------------------------------------------
# Recognising lines

_BULLET = re.compile(r"^[•·▪◦‣*\-]\s*")
_BOILERPLATE = {
    "skip to content", "search in", "digital archive international history declassified",
    "document information", "original uploaded date", "record id", "leon levy foundation",
    "citation", "get citation", "share document", "author(s):", "author(s)", "associated places",
    "associated topics", "associated people & organizations", "associated people and organizations",
    "subjects discussed", "source", "rights", "original archive", "original language", "languages",
    "pagination", "next page", "previous page", "first page", "last page", "load more",
}
_BOILERPLATE_RE = re.compile(
    r"^(?:this document was made possible with support from\b"
    r"|the history and public policy program welcomes reuse\b"
    r"|to enquire about this document\b"
    r"|leon levy foundation(?:skip to content)?$"
    r"|\w+ (?:html|pdf|transcription|translation)$)"
)
_PAGER = re.compile(r"^(?:\d{1,3}|[‹«]?\s*(?:next|previous|first|last)(?: page)?\s*[›»]?|…|\.\.\.)$", re.IGNORECASE)
_SECTION = {"document information", "author(s):", "author(s)", "associated places", "associated topics",
            "associated people & organizations", "associated people and organizations", "subjects discussed"}
_TAIL_RE = re.compile(
    r"^(?:the history and public policy program welcomes reuse\b|to enquire about this document\b"
    r"|original uploaded date$|record id$)"
)
_HEADING_TOKEN = re.compile(
    r"(?:top\s+secret|strictly\s+secret|completely\s+secret|secret|confidential|restricted|u\.?\s?s\.?\s+urgent|urgent"
    r"|niact|(?:most\s+)?immediate|priority|important|deferred|routine|en\s+clair|cabinet\s+distribution"
    r"|personal|special\s+folder"
    r"|of\s+special\s+importance|(?:ciphered\s+|deciphered\s+|cipher\s+)?(?:telegram|cable)|memo(?:randum)?"
    r"|copy(?:\s+no\.?\s*\d+)?|series\s+[\"“«]?\w[\"”»]?)[.,;:]?\s*",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"^(?:FROM|From)\s+[A-Z][\w’'\-.]*(?:\s+[A-Z][\w’'\-.]*){0,2},?\s+\d{1,2}\s+[A-Za-z]+\.?,?\s+\d{4}\b"
    r"|^FROM\s+[A-Z][A-Z’'\-]+(?:\s+[A-Z][A-Z’'\-]+)*\.?$"
    # the Soviet cable form: "from TEHRAN", "from TEHRAN Nº 12703 received at 0125 27 April 1946 Copy Nº 2"
    r"|^from\s+[A-Z]{2}[A-Z’'\-]*(?:\s+[A-Z]{2}[A-Z’'\-]*)*(?:\s+(?:N[º°o]|No\.|received|Copy)\b.*)?$"
)
_PLACE_DATE = re.compile(  # "Tehran, March 17, 1946—noon.", "[Tehran,] March 5, 1946.", "Moscow, 3 July 1946"
    r"^\[?(?P<place>[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*){0,2})(?:,\]?|\],)\s+(?P<date>\S.{2,25}?\d{4})"
    r"(?:\s*[—–-]\s*[\w:. ]{1,15})?\.?$"
)
_DATED_HEADER = re.compile(  # "4 December 1946 L-15470 Baku": date, number, place
    r"^\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}(?:\s+(?:No\.?|№)?\s*[A-Z]?[-\w/]*\d[-\w/]*)?(?:[\s,]+[A-Z][\w’'\-]*)*\.?$"
)
_RECEIVED = re.compile(r"^(?:Received\s+(?:via|by)\b|(?:Received|Sent)\s+at\s+\d)", re.IGNORECASE)
_RECEIVED_NOTE = re.compile(r"^\[Received\b[^\]]*\]\.?$")  # FRUS: "[Received March 26—8:03 a.m.]"
_PAGE_MARKER = re.compile(r"\[Page\s+\d+\]")  # FRUS page breaks, on a line of their own or inside a paragraph
_DISTRIBUTION = re.compile(r"^(?:Copy\s+)?N[º°o]\.?\s*\d+\s*[–—-]\s*(?P<to>\S.*)$")  # "Nº 2 – to Stalin"
_NOT_ADDRESSEE = re.compile(r"^(?:distribution\s+list|(?:to\s+)?(?:the\s+)?(?:file|copy))\.?$", re.IGNORECASE)
# The cable form's numbers: "Nº 32951", "Spets NºNº 1620-1622", "Outgoing Nº 8924", "32947 32970".
_FORM_CELL = re.compile(
    r"^(?:\d+\s+)?(?:(?:copy|outgoing|incoming|form|spets\.?|sp\[ets\])\s+)?(?:n[º°o]\.?\s*)+\S*\d[\w/\-,. ]*$"
    r"|^\d+(?:[\s,/-]+\d+)+$",
    re.IGNORECASE,
)
_LIST_LABEL = re.compile(r"^(?:[-•]\s*)?(?:\d{1,3}|[a-z]|[ivxl]{1,5})[.)]$")  # "1." or "- 2." alone on its line
_LEADING_BULLET = re.compile(r"^[-•]\s+")
# A telegram or despatch printed without the archive site's frame.
_FILE_NUMBER = re.compile(  # FRUS source note: "891.00/10–546: Telegram", "740.00119 Council/4–2546",
    # or another file ahead of the kind of document: "Moscow Embassy Files: Lot 56F233: Telegram"
    r"^(?:(?P<ref>\d{3}\.[\w.]+(?:\s+[A-Z]\w*)?/\d{1,2}[–-]\d{2,4}[A-Z]?)(?:\s*:\s*[A-Z][\w ]{2,30})?"
    r"|(?P<file>[A-Z].{2,80}?):\s*(?:Circular\s+)?(?:Telegram|Airgram|Despatch|Dispatch))$"
)
_TELEGRAM_NUMBER = re.compile(r"^\d{1,5}\.\s+(?=\S)")
_FO_REFERENCE = re.compile(r"^\W{0,2}\[(?P<ref>[A-Z]{1,2}\s?\d+/\d+/\d+)\]$")  # "[E 10733/149/34]"
_PRINT_LABEL = re.compile(  # numbers of a printed despatch: "Section 1", "Copy No. 1 4 1", "(No. 412.)"
    r"^(?:section\s+\d+|copy\s+no\.?[\s\d]*|\(?no\.?\s*\d*\.?\)?)$",
    re.IGNORECASE,
)
_TRANSCRIPTION_NOTICE = re.compile(
    r"^this transcription (?:is|was|has been) (?:created|generated|made) automatically\b", re.IGNORECASE)
_TITLE_DATE = re.compile(r",\s+(?P<date>[^,]{4,20})$")  # "..., describing Russian activity in Iran, 11 July 1945"
# Listing pages without bullets: "Results:", "1 - 8 of 8" above the records.
_RESULTS = re.compile(r"^(?:results:?|(?:results:?\s*)?\d[\d,]*\s*[-–]\s*\d[\d,]*\s+of\s+\d[\d,]*(?:\s+results?)?)$",
                      re.IGNORECASE)
_MONTH_STUB = re.compile(  # a date cut off by the end of the page: "February", "March 4,", "May 8, 19"
    r"^(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?(?:\s+\d{1,2})?(?:,\s*\d{0,3})?$"
)
_TRANSMISSION_DATE = re.compile(r"^\d{1,2}\s+[A-Za-z]{3,}\.?,?\s+\d{4}$|^\d{1,2}[./]\d{1,2}[./]\d{2,4}$")
_ADDRESSEE = re.compile(r"^(?:to|To|TO)(?::\s*|\s+)\S")
_FUNCTION_WORDS = {"to", "and", "the", "of", "for", "in", "on", "at", "a", "an", "de", "da", "von", "cde", "cdes"}
_CITATION = re.compile(
    r"^[\"“](?P<title>[^\"“”]+?),?[\"”],?\s+(?P<date>[^,]+(?:,\s*\d{4})?),\s+"
    r"(?P<archive>[^,]*Digital Archive)[,.]?\s*(?P<rest>.*)$"
)
_CREDIT = re.compile(r"(?:^|[.;,]\s*)(?=(?:Contributed|Obtained|Donated|Provided|Translated|Transcribed)\b)")
_CONTRIBUTOR = re.compile(
    r"\b(?:Contributed|Obtained|Donated|Provided)\s+(?:and\s+translated\s+)?(?:(?:to|for)\s+\S+\s+)?by\s+"
    r"(?P<name>.+?)"
    r"(?=\s+and\s+(?:translated|transcribed)\b|(?<=[^\W\d_]{2})\.(?:\s|$)|[;,]|\.?\s*$)"
)
_TRANSLATOR = re.compile(
    r"\b[Tt]ranslated\s+(?:(?:for|from|into)\s+\S+\s+)*by\s+(?P<name>.+?)(?=(?<=[^\W\d_]{2})\.(?:\s|$)|[;,]|\.?\s*$)"
)

_UNDATED = re.compile(r"^(?:undated|n\.\s?d\.|no date)$", re.IGNORECASE)
_CIRCA = re.compile(r"^(?:c\.|ca\.|circa)\s*", re.IGNORECASE)
_DATE_FORMATS = (
    ("%B %d, %Y", 3), ("%b %d, %Y", 3), ("%b. %d, %Y", 3), ("%d %B %Y", 3), ("%d %b %Y", 3),
    ("%d %b. %Y", 3), ("%B, %Y", 2), ("%B %Y", 2), ("%b %Y", 2), ("%b. %Y", 2), ("%Y", 1),
)


def _norm(text: str) -> str:
    return " ".join(_BULLET.sub("", text).split()).casefold()


def is_boilerplate(text: str) -> bool:
    """Site furniture (navigation, funding line, rights, metadata labels): never document text."""
    norm = _norm(text)
    return norm in _BOILERPLATE or bool(_BOILERPLATE_RE.match(norm))


def _is_section(text: str) -> bool:
    return _norm(text) in _SECTION


def _is_tail(text: str) -> bool:
    """Where the page's own text ends and its metadata and rights tail begins."""
    return _is_section(text) or bool(_TAIL_RE.match(_norm(text)))


def _is_heading(text: str) -> bool:
    """'TELEGRAM', 'Top Secret', 'Memo', 'Series “K”' and combinations: labels, not text."""
    rest, pos = text.strip(), 0
    while pos < len(rest):
        m = _HEADING_TOKEN.match(rest, pos)
        if not m or m.end() == pos:
            return False
        pos = m.end()
    return bool(rest)


def _is_date_line(text: str) -> bool:
    """A page's date line: a date alone, or the archive's 'Undated'."""
    return bool(parse_date(text) or _UNDATED.match(text.strip()))


def parse_date(text: str) -> str | None:
    """ISO date of a date written the archive's ways: '1945-11-20', '1945-07' or '1944'."""
    text = _CIRCA.sub("", " ".join(text.split()))
    if len(text) > 25 or not re.search(r"(?<!\d)\d{4}$", text):
        return None
    for fmt, parts in _DATE_FORMATS:
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"[: (4, 7, 10)[parts - 1]]
    return None


def _bullet_date(line: Line) -> tuple[int, str] | None:
    """The offset and ISO value of a listing record's '• <date>' line."""
    m = _BULLET.match(line.text)
    if not m or m.end() == 0:
        return None
    rest = line.text[m.end():]
    return (line.start + m.end(), parse_date(rest)) if _is_date_line(rest) else None


def _is_addressee(text: str) -> bool:
    """'to MOSCOW, to Cde. STALIN', 'To the Minister of ... Cde. Yakubov': mostly capitalised words."""
    return bool(_ADDRESSEE.match(text)) and _capitalised(text, 200)


def _is_addressee_continuation(text: str) -> bool:
    """'Marshal of the Soviet Union', 'Cde. Beriya, L. P.': short capitalised lines after an addressee."""
    return not text.endswith(":") and len(text.split()) <= 10 and _capitalised(text, 80, share=1.0)


def _capitalised(text: str, max_len: int, share: float = 0.6) -> bool:
    """Names and titles, not sentences: most words other than 'to', 'of', 'the' are capitalised."""
    if len(text) > max_len:
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w’'\-]*", text) if w.casefold() not in _FUNCTION_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= share


def _is_form_line(text: str) -> bool:
    """The cable form's numbers and stamps ('Nº 32951', '| Outgoing Nº 8923 | Form Nº 18 |'): not text."""
    cells = [cell.strip() for cell in text.strip().strip("|").split("|")]
    return all(cell and (_FORM_CELL.match(cell) or _is_heading(cell) or (len(cells) > 1 and _RECEIVED.match(cell)))
               for cell in cells)


def _date_within(text: str, start: int, end: int) -> tuple[Field, str] | None:
    """The longest date ending at `end` that reads as a date: '2(PA October, 1946' -> 'October, 1946'."""
    for m in re.finditer(r"(?<!\S)\S", text[start:end]):
        at = start + m.start()
        iso = parse_date(text[at:end])
        if iso:
            return Field(at, end, text[at:end]), iso
    return None


def _place_date(text: str, line: Line) -> tuple[Field, str] | None:
    """'Tehran, March 17, 1946—noon.': a dateline; its date as a Field of the file and in ISO."""
    m = _PLACE_DATE.match(line.text)
    return _date_within(text, line.start + m.start("date"), line.start + m.end("date")) if m else None


def _is_despatch_label(text: str) -> bool:
    """Labels above a telegram or despatch: 'us urgent niact', 'CABINET DISTRIBUTION', 'Section 1'."""
    return bool(_is_heading(text) or _PRINT_LABEL.match(text) or _PAGE_MARKER.fullmatch(text))


def _is_capitals(text: str) -> bool:
    """A printed heading line in capitals ('PERSIA', 'THIS DOCUMENT IS THE PROPERTY OF ...')."""
    return any(ch.isalpha() for ch in text) and not any(ch.islower() for ch in text)


def _split_at_markers(text: str, para: Field) -> list[Field]:
    """A paragraph without its '[Page 402]' markers: the parts before and after each."""
    parts, pos = [], para.start
    for m in _PAGE_MARKER.finditer(para.text):
        parts.append(_field(text, pos, para.start + m.start()))
        pos = para.start + m.end()
    parts.append(_field(text, pos, para.end))
    return [part for part in parts if part]


def _undoubled(line: Line) -> tuple[int, int]:
    """The site sometimes prints a title twice in one line ('XTitleXTitle'): keep one copy."""
    t, n = line.text, len(line.text)
    if n % 2 == 0 and t[: n // 2] == t[n // 2:]:
        return line.start, line.start + n // 2
    if n % 2 == 1 and t[n // 2].isspace() and t[: n // 2] == t[n // 2 + 1:]:
        return line.start, line.start + n // 2
    return line.start, line.end


# ---------------------------------------------------------------------------------------------
# References, citations, dates


def _set_reference(doc: SourceDocument, text: str, start: int, end: int) -> None:
    """'RGASPI, f. 558, ... ll. 0005-0006. Contributed by X and translated by Y.' -> reference and credits."""
    part = text[start:end]
    credit = _CREDIT.search(part)
    ref_end = start + credit.start() if credit else end
    span = _trim(text, start, ref_end)
    if span and text[span[1] - 1] == "." and span[1] - 2 >= span[0] and text[span[1] - 2].isdigit():
        span = (span[0], span[1] - 1)
    if span:
        doc.archival_reference = Field(span[0], span[1], text[span[0]:span[1]])
    part = re.sub(r"\s*https?://\S+\s*$", "", part)
    contributor = _CONTRIBUTOR.search(part)
    translator = _TRANSLATOR.search(part)
    if contributor:
        doc.contributor = contributor.group("name").strip()
    if translator:
        doc.translator = translator.group("name").strip()


def _apply_citation(doc: SourceDocument, text: str, line: Line) -> bool:
    """The newer layout's quoted citation gives the title, reference, contributor and translator."""
    m = _CITATION.match(line.text)
    if not m:
        return False
    if doc.title is None:
        doc.title = _field(text, line.start + m.start("title"), line.start + m.end("title"))
    if doc.date is None and parse_date(m.group("date")):
        doc.date = _field(text, line.start + m.start("date"), line.start + m.end("date"))
        doc.date_iso = parse_date(m.group("date"))
    if doc.archival_reference is None and m.group("rest"):
        _set_reference(doc, text, line.start + m.start("rest"), line.start + m.end("rest"))
    return True


def _fallback_date(doc: SourceDocument, meta: dict) -> None:
    """No date on the page: take the manifest's date column if it is an ISO date."""
    value = meta.get("date", "")
    if doc.date_iso is None and re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value):
        doc.date_iso = value


def _manifest_title(doc: SourceDocument, meta: dict) -> None:
    """No title on the page: the manifest's title, if the text contains it (offsets must hold)."""
    title = meta.get("title", "")
    at = doc.file.text.find(title) if title else -1
    if doc.title is None and at >= 0:
        doc.title = Field(at, at + len(title), title)


# ---------------------------------------------------------------------------------------------
# Layouts


def _listing_starts(lines: list[Line]) -> list[int]:
    """Where the records of a search-results page start; [] if the file is not one.

    Bulleted pages: a '• <date>' line per record, under the site's search header (or at least two), and
    no funding line. Pages without bullets: under a results line ('Results:', '1 - 8 of 8'), every date
    line starts a record, and so does a date cut off by the end of the page ('February' as the last line).
    """
    norms = [_norm(line.text) for line in lines]
    if any(n.startswith("this document was made possible") for n in norms):
        return []
    bulleted = [k for k, line in enumerate(lines) if _bullet_date(line)]
    if bulleted:
        search = any(n in ("search in", "digital archive international history declassified") for n in norms[:10])
        return bulleted if search or len(bulleted) >= 2 else []
    results = next((k for k, line in enumerate(lines[:12]) if _RESULTS.match(_norm(line.text))), None)
    if results is None:
        return []
    starts = [k for k in range(results + 1, len(lines)) if _is_date_line(lines[k].text)]
    last = len(lines) - 1
    if last > results and last not in starts and _MONTH_STUB.match(lines[last].text):
        starts.append(last)
    return starts


_SITE_RE = re.compile(
    r"^(?:skip to content|search in|digital archive international history declassified|document information"
    r"|this document was made possible with support from\b|the history and public policy program welcomes reuse\b)"
)


def _is_page(lines: list[Line]) -> bool:
    """An archive page: the site's own furniture, or a date line among its first lines."""
    if any(_SITE_RE.match(_norm(line.text)) for line in lines):
        return True
    return any(_is_date_line(line.text) for line in lines[:2])


def _transcription_start(lines: list[Line]) -> int | None:
    """After the catalogue block and 'This transcription is created automatically...': the document."""
    return next((k + 1 for k, line in enumerate(lines) if _TRANSCRIPTION_NOTICE.match(line.text)), None)


def _is_cable(lines: list[Line]) -> bool:
    """A telegram printed on its own: a 'FROM TEHRAN TO FOREIGN OFFICE' line among its first lines."""
    return any(_HEADER.match(line.text) for line in lines[:6])


def parse_documents(source: SourceFile) -> list[SourceDocument]:
    """The documents in one file: one per listing record, else one page or one plain text."""
    lines = _lines(source.text)
    if not lines:
        return []
    meta = _manifest_row(source.path)
    starts = _listing_starts(lines)
    if starts:
        return _parse_listing(source, lines, starts)
    transcribed = _transcription_start(lines)
    if transcribed is not None and transcribed < len(lines):
        return [_parse_despatch(source, lines[transcribed:], meta, ocr=True)]
    if _FILE_NUMBER.match(lines[0].text):
        return [_parse_despatch(source, lines, meta, ocr=False)]
    if _is_page(lines):
        return [_parse_page(source, lines, meta)]
    if _is_cable(lines):
        return [_parse_despatch(source, lines, meta, ocr=False)]
    return [_parse_plain(source, lines, meta)]


def _record_date(text: str, line: Line) -> tuple[Field, str | None]:
    """A record's date: after the bullet if there is one; a cut-off date has no ISO value."""
    bullet = _bullet_date(line)
    if bullet:
        return _field(text, bullet[0], line.end), bullet[1]
    return Field(line.start, line.end, line.text), parse_date(line.text)


def _parse_listing(source: SourceFile, lines: list[Line], starts: list[int]) -> list[SourceDocument]:
    """One record per start line: date, then title, then summary (the last may be cut off)."""
    text = source.text
    docs = []
    for n, k in enumerate(starts, 1):
        stop = starts[n] if n < len(starts) else len(lines)
        stop = next((j for j in range(k + 1, stop) if _is_tail(lines[j].text)), stop)
        rest = [line for line in lines[k + 1:stop] if not is_boilerplate(line.text)
                and not _PAGER.match(line.text) and not _RESULTS.match(_norm(line.text))]
        date, iso = _record_date(text, lines[k])
        doc = SourceDocument(
            doc_id=f"{source.file_id}-{n:02d}", file=source, kind="listing-record",
            span=_span(text, [lines[k], *rest]), date=date, date_iso=iso,
        )
        if rest:
            doc.title = _field(text, rest[0].start, rest[0].end)
        if len(rest) > 1:
            doc.summary = _span(text, rest[1:])
        docs.append(doc)
    return docs


def _parse_despatch(source: SourceFile, lines: list[Line], meta: dict, ocr: bool) -> SourceDocument:
    """A telegram or despatch printed without the archive site's frame (FRUS, a hosted British cable, a
    Qatar Digital Library transcription): file number, title, labels, dateline, the text.

    FRUS: '891.00/10–546: Telegram' is the archival reference (and the header when there is no dateline),
    the next line the title, 'secret'/'us urgent' labels, 'Tehran, March 17, 1946—noon.' the header and
    date, '[Received ...]' the transmission. '[Page 522]' markers are dropped, splitting a paragraph they
    sit in. An OCR'd transcription is hard-wrapped: its paragraphs are runs between blank lines, never
    lines; its dateline may stand anywhere in the text and is then set apart from the paragraph around it.
    """
    text = source.text
    doc = SourceDocument(doc_id=source.file_id, file=source, kind="page", span=_field(text, 0, len(text)))
    i, file_line = 0, None
    m = _FILE_NUMBER.match(lines[0].text)
    if m:
        file_line = Field(lines[0].start, lines[0].end, lines[0].text)
        group = "ref" if m.group("ref") else "file"
        doc.archival_reference = _field(text, lines[0].start + m.start(group), lines[0].start + m.end(group))
        i = 1
    if i < len(lines) and not _despatch_opening(doc, lines[i], dry_run=True):
        doc.title = Field(lines[i].start, lines[i].end, lines[i].text)
        i += 1
    while i < len(lines) and _despatch_opening(doc, lines[i]):
        i += 1
    body = lines[i:]
    if doc.header is None:  # an OCR'd dateline may stand inside the text
        k = next((k for k, line in enumerate(body) if _place_date(text, line)), None)
        if k is not None:
            _despatch_opening(doc, body[k])
            body = body[:k] + body[k + 1:]
    if doc.header is None and file_line:
        doc.header = file_line
    by_line = not ocr and not _has_blank_gaps(lines)
    for group in _paragraphs(body, by_line):
        for part in _split_at_markers(text, _span(text, group)):
            bullet = _LEADING_BULLET.match(part.text)
            doc.body.append(_field(text, part.start + bullet.end(), part.end) if bullet else part)
    number = _TELEGRAM_NUMBER.match(doc.body[0].text) if file_line and doc.body else None
    if number:  # FRUS: "1324. Qavam told me ...": the telegram's number, not part of its first sentence
        doc.body[0] = _field(text, doc.body[0].start + number.end(), doc.body[0].end)
    if doc.date is None and doc.title:
        dated = _TITLE_DATE.search(doc.title.text)
        if dated and parse_date(dated.group("date")):
            at = doc.title.start + dated.start("date")
            doc.date, doc.date_iso = _field(text, at, doc.title.end), parse_date(dated.group("date"))
    _manifest_title(doc, meta)
    _fallback_date(doc, meta)
    _set_region(doc)
    return doc


def _despatch_opening(doc: SourceDocument, line: Line, dry_run: bool = False) -> bool:
    """One line above a telegram's text: labels, dateline, header, reference, date, received note.

    Returns whether the line is one of them; records it in `doc` unless `dry_run`. A dateline gives
    the date even after a date line of its own (a print date), and the header. A heading printed in
    capitals ('PERSIA') is text: a paragraph of its own.
    """
    text, t = doc.file.text, line.text
    field = Field(line.start, line.end, t)
    dated = _place_date(text, line)
    reference = _FO_REFERENCE.match(t)
    if dry_run:
        return bool(dated or reference or _HEADER.match(t) or _RECEIVED_NOTE.match(t) or _is_date_line(t)
                    or _is_despatch_label(t) or _is_capitals(t))
    if dated:
        if doc.header is None or not _PLACE_DATE.match(doc.header.text):  # the first dateline
            doc.header = doc.header or field
            doc.date, doc.date_iso = dated
    elif _HEADER.match(t):
        doc.header = doc.header or field
    elif _RECEIVED_NOTE.match(t):
        doc.transmission = doc.transmission or field
    elif reference:
        if doc.archival_reference is None:
            doc.archival_reference = _field(text, line.start + reference.start("ref"),
                                            line.start + reference.end("ref"))
    elif _is_date_line(t):
        if doc.date is None:
            doc.date, doc.date_iso = field, parse_date(t)
    elif _is_capitals(t) and not _is_despatch_label(t):
        doc.body.append(field)
    elif not _is_despatch_label(t):
        return False
    return True


def _set_region(doc: SourceDocument) -> None:
    """The document's region: from its first kept part to its last, without the site's frame."""
    kept = [f for f in (doc.date, doc.title, doc.header, doc.summary, doc.transmission, doc.archival_reference,
                        *doc.addressees, *doc.body) if f]
    if kept:
        doc.span = _field(doc.file.text, min(f.start for f in kept), max(f.end for f in kept))


def _parse_plain(source: SourceFile, lines: list[Line], meta: dict) -> SourceDocument:
    """Text that is not an archive page: its paragraphs, titled and dated from the manifest."""
    text = source.text
    doc = SourceDocument(doc_id=source.file_id, file=source, kind="plain", span=_field(text, 0, len(text)))
    _manifest_title(doc, meta)
    for group in _paragraphs(lines, by_line=not _has_blank_gaps(lines)):
        para = _span(text, group)
        if doc.title and (para.start, para.end) == (doc.title.start, doc.title.end):
            continue
        doc.body.append(para)
    _fallback_date(doc, meta)
    return doc


def _parse_page(source: SourceFile, lines: list[Line], meta: dict) -> SourceDocument:
    """An archive page: front matter, the document's own text, then the metadata tail."""
    text = source.text
    doc = SourceDocument(doc_id=source.file_id, file=source, kind="page", span=_field(text, 0, len(text)))
    first, teaser = _front_matter(doc, lines)
    tail = next((j for j in range(first, len(lines)) if _is_tail(lines[j].text)), len(lines))
    by_line = not _has_blank_gaps(lines)  # the mirror layout has no blank lines: one paragraph per line
    _body(doc, lines[first:tail], by_line, ends_at_section=tail < len(lines) and _is_section(lines[tail].text),
          teaser=teaser)
    _tail(doc, lines[tail:])
    _manifest_title(doc, meta)
    _fallback_date(doc, meta)
    _set_region(doc)
    return doc


def _front_matter(doc: SourceDocument, lines: list[Line]) -> tuple[int, Field | None]:
    """Date, title, funding line and (newer layout) citation block.

    Returns where the body starts, and the summary line that came before the date line, if any.
    """
    text = doc.file.text
    i, teaser = 0, None
    while i < len(lines) and is_boilerplate(lines[i].text):
        i += 1
    # Mirror layout: an editorial summary may come first, just before the date line. It is taken as the
    # document's summary unless the page closes with a summary of its own (see `_body`).
    if (i + 1 < len(lines) and not _is_date_line(lines[i].text) and _is_date_line(lines[i + 1].text)
            and len(lines[i].text.split()) >= 5 and lines[i].text[-1] in ".!?"):
        doc.summary = teaser = _field(text, lines[i].start, lines[i].end)
        i += 1
    while i < len(lines):
        line = lines[i]
        norm = _norm(line.text)
        if _is_tail(line.text):
            break
        if norm in ("citation", "get citation"):
            i = _citation_block(doc, lines, i + 1)
        elif is_boilerplate(line.text):
            i += 1
        elif doc.date is None and _is_date_line(line.text):
            doc.date, doc.date_iso = _field(text, line.start, line.end), parse_date(line.text)
            i += 1
        elif (doc.title is None and not _HEADER.match(line.text) and not _is_heading(line.text)
              and not _is_addressee(line.text) and not line.text.startswith("[")):
            doc.title = _field(text, *_undoubled(line))
            i += 1
            if i < len(lines) and lines[i].text == doc.title.text:  # title repeated on the next line
                i += 1
        else:
            break
    return i, teaser


def _citation_block(doc: SourceDocument, lines: list[Line], i: int) -> int:
    """After 'get citation': the summary, then the quoted citation line."""
    text = doc.file.text
    summary: list[Line] = []
    while i < len(lines):
        line = lines[i]
        if _apply_citation(doc, text, line):
            i += 1
            break
        if _norm(line.text) in ("citation", "get citation"):
            i += 1
            continue
        if is_boilerplate(line.text) or _HEADER.match(line.text) or _is_addressee(line.text):
            break
        summary.append(line)
        i += 1
    if summary and doc.summary is None:
        doc.summary = _span(text, summary)
    return i


def _body(doc: SourceDocument, lines: list[Line], by_line: bool, ends_at_section: bool,
          teaser: Field | None = None) -> None:
    """Header, addressees and paragraphs; the transmission note and the closing summary set apart.

    A summary line before the date (`teaser`) gives way to a closing summary that differs from it: it
    was the summary of a related record. It stays page text, as the first body paragraph.
    """
    text = doc.file.text
    lines = [line for line in lines if not is_boilerplate(line.text) and not _is_heading(line.text)
             and not _is_form_line(line.text) and not _PAGE_MARKER.fullmatch(line.text)]
    for k, line in enumerate(lines):
        if _is_transmission(line):  # "Received via VCh" / "Received at 1710", "Sent at 0850," and their dates
            end = k
            while end + 1 < len(lines) and (_TRANSMISSION_DATE.match(lines[end + 1].text)
                                            or _is_transmission(lines[end + 1])):
                end += 1
            doc.transmission = _span(text, lines[k:end + 1])
            lines = lines[:k] + lines[end + 1:]
            break
    groups = _paragraphs(lines, by_line)
    # On the site the editorial summary is the paragraph just before "Document Information".
    if ends_at_section and groups:
        last = _span(text, groups[-1])
        if doc.summary is None or last.text == doc.summary.text:
            doc.summary = doc.summary or last
            lines = lines[: len(lines) - len(groups[-1])]
        elif teaser is not None and doc.summary is teaser:
            doc.summary = last
            doc.body.append(teaser)
            lines = lines[: len(lines) - len(groups[-1])]
    k = _opening(doc, lines)
    for group in _paragraphs(lines[k:], by_line):
        doc.body.extend(_split_at_markers(text, _span(text, group)))


def _is_transmission(line: Line) -> bool:
    return bool(_RECEIVED.match(line.text)) and len(line.text) <= 60


def _opening(doc: SourceDocument, lines: list[Line]) -> int:
    """Line by line, the telegram header and addressee lines before the text proper starts.

    The header: 'FROM BAKU 20 November 1945', 'from TEHRAN', '4 December 1946 L-15470 Baku', or a
    dateline 'Moscow, 3 July 1946'. Addressees: 'to Cde. Stalin' lines and their continuations, and the
    cable form's distribution list ('Nº 2 – to Stalin'; not 'DISTRIBUTION LIST' or 'to file').
    """
    text = doc.file.text
    addressed = False
    k = 0
    while k < len(lines):
        line = lines[k]
        field = Field(line.start, line.end, line.text)
        listed = _DISTRIBUTION.match(line.text)
        if doc.header is None and (_HEADER.match(line.text) or _place_date(text, line)
                                   or (_DATED_HEADER.match(line.text) and not doc.addressees)):
            doc.header = field
        elif listed:
            if not _NOT_ADDRESSEE.match(listed.group("to")):
                doc.addressees.append(field)
        elif _is_addressee(line.text) or (addressed and _is_addressee_continuation(line.text)):
            doc.addressees.append(field)
            addressed = True
        elif line.text.startswith("["):  # an editorial note does not end the opening
            end = _note_end(lines, k)
            doc.body.append(_span(text, lines[k:end + 1]))
            k = end
        else:
            return k
        k += 1
    return len(lines)


def _note_end(lines: list[Line], k: int) -> int:
    """The line where the bracketed note starting on line k closes (it may run over 3 more lines)."""
    depth = 0
    for j in range(k, min(k + 4, len(lines))):
        depth += lines[j].text.count("[") - lines[j].text.count("]")
        if depth <= 0:
            return j
    return k


def _tail(doc: SourceDocument, lines: list[Line]) -> None:
    """The metadata tail: the archival reference after 'Document Information' or 'Source'."""
    text = doc.file.text
    labelled = False
    for line in lines:
        if _CITATION.match(line.text):
            _apply_citation(doc, text, line)
        elif _norm(line.text) in ("document information", "source"):
            labelled = True
        elif is_boilerplate(line.text) or _is_section(line.text):
            continue
        elif labelled and doc.archival_reference is None and re.search(r"\d|\bby\b", line.text):
            _set_reference(doc, text, line.start, line.end)
            labelled = False
