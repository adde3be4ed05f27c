"""Reading input files: bytes -> checked text -> `SourceDocument`s with exact offsets.

Every `Field` points into `SourceFile.text` as decoded (no newline or BOM normalisation), with
surrounding whitespace trimmed by moving its offsets, never by altering its text.  The parsers rely
on the archive's layout markers (boilerplate lines, date lines, "FROM <CITY> <date>" headers,
"to ..." addressee lines, "Received via", "Document Information"), not on any particular page.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
    """Lower-case ASCII slug of [a-z0-9-], stable across rebuilds (extract must not import graph)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "file"


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
    )


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
    """Paragraphs are runs of lines between blank lines; in a layout without blank lines, lines."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups and not by_line and line.no == groups[-1][-1].no + 1:
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
    r"(?:top\s+secret|strictly\s+secret|completely\s+secret|secret|urgent|personal|special\s+folder"
    r"|of\s+special\s+importance|(?:ciphered\s+|deciphered\s+|cipher\s+)?telegram|memo(?:randum)?"
    r"|copy(?:\s+no\.?\s*\d+)?|series\s+[\"“«]?\w[\"”»]?)[.,;:]?\s*",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"^(?:FROM|From)\s+[A-Z][\w’'\-.]*(?:\s+[A-Z][\w’'\-.]*){0,2},?\s+\d{1,2}\s+[A-Za-z]+\.?,?\s+\d{4}\b"
    r"|^FROM\s+[A-Z][A-Z’'\-]+(?:\s+[A-Z][A-Z’'\-]+)*\.?$"
)
_DATED_HEADER = re.compile(  # "4 December 1946 L-15470 Baku": date, number, place
    r"^\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}(?:\s+(?:No\.?|№)?\s*[A-Z]?[-\w/]*\d[-\w/]*)?(?:[\s,]+[A-Z][\w’'\-]*)*\.?$"
)
_RECEIVED = re.compile(r"^Received\s+(?:via|by)\b", re.IGNORECASE)
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


def _is_listing(lines: list[Line]) -> bool:
    """Search results: '• <date>' record lines, under the site's search header, and no funding line."""
    dated = sum(1 for line in lines if _bullet_date(line))
    norms = [_norm(line.text) for line in lines]
    search = any(n in ("search in", "digital archive international history declassified") for n in norms[:10])
    document = any(n.startswith("this document was made possible") for n in norms)
    return dated >= 1 and (search or dated >= 2) and not document


_SITE_RE = re.compile(
    r"^(?:skip to content|search in|digital archive international history declassified|document information"
    r"|this document was made possible with support from\b|the history and public policy program welcomes reuse\b)"
)


def _is_page(lines: list[Line]) -> bool:
    """An archive page: the site's own furniture, or a date line among its first lines."""
    if any(_SITE_RE.match(_norm(line.text)) for line in lines):
        return True
    return any(_is_date_line(line.text) for line in lines[:2])


def parse_documents(source: SourceFile) -> list[SourceDocument]:
    """The documents in one file: one per listing record, else one page or one plain text."""
    lines = _lines(source.text)
    if not lines:
        return []
    meta = _manifest_row(source.path)
    if _is_listing(lines):
        return _parse_listing(source, lines)
    if _is_page(lines):
        return [_parse_page(source, lines, meta)]
    return [_parse_plain(source, lines, meta)]


def _parse_listing(source: SourceFile, lines: list[Line]) -> list[SourceDocument]:
    """One record per '• <date>' line: date, then title, then summary (the last may be cut off)."""
    text = source.text
    starts = [k for k, line in enumerate(lines) if _bullet_date(line)]
    docs = []
    for n, k in enumerate(starts, 1):
        stop = starts[n] if n < len(starts) else len(lines)
        stop = next((j for j in range(k + 1, stop) if _is_tail(lines[j].text)), stop)
        rest = [line for line in lines[k + 1:stop] if not is_boilerplate(line.text) and not _PAGER.match(line.text)]
        date_at, iso = _bullet_date(lines[k])
        doc = SourceDocument(
            doc_id=f"{source.file_id}-{n:02d}", file=source, kind="listing-record",
            span=_span(text, [lines[k], *rest]), date=_field(text, date_at, lines[k].end), date_iso=iso,
        )
        if rest:
            doc.title = _field(text, rest[0].start, rest[0].end)
        if len(rest) > 1:
            doc.summary = _span(text, rest[1:])
        docs.append(doc)
    return docs


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
    first = _front_matter(doc, lines)
    tail = next((j for j in range(first, len(lines)) if _is_tail(lines[j].text)), len(lines))
    by_line = not _has_blank_gaps(lines)  # the mirror layout has no blank lines: one paragraph per line
    _body(doc, lines[first:tail], by_line, ends_at_section=tail < len(lines) and _is_section(lines[tail].text))
    _tail(doc, lines[tail:])
    _manifest_title(doc, meta)
    _fallback_date(doc, meta)
    kept = [f for f in (doc.date, doc.title, doc.header, doc.summary, doc.transmission, doc.archival_reference,
                        *doc.addressees, *doc.body) if f]
    if kept:  # the document's region: from its first kept part to its last, without the site's frame
        doc.span = _field(text, min(f.start for f in kept), max(f.end for f in kept))
    return doc


def _front_matter(doc: SourceDocument, lines: list[Line]) -> int:
    """Date, title, funding line and (newer layout) citation block; returns where the body starts."""
    text = doc.file.text
    i = 0
    while i < len(lines) and is_boilerplate(lines[i].text):
        i += 1
    # Mirror layout: the editorial summary may come first, just before the date line.
    if (i + 1 < len(lines) and not _is_date_line(lines[i].text) and _is_date_line(lines[i + 1].text)
            and len(lines[i].text.split()) >= 5 and lines[i].text[-1] in ".!?"):
        doc.summary = _field(text, lines[i].start, lines[i].end)
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
    return i


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


def _body(doc: SourceDocument, lines: list[Line], by_line: bool, ends_at_section: bool) -> None:
    """Header, addressees and paragraphs; the transmission note and the closing summary set apart."""
    text = doc.file.text
    lines = [line for line in lines if not is_boilerplate(line.text) and not _is_heading(line.text)]
    for k, line in enumerate(lines):
        if _RECEIVED.match(line.text) and len(line.text) <= 60:
            end = k + 1 if k + 1 < len(lines) and _TRANSMISSION_DATE.match(lines[k + 1].text) else k
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
    k = _opening(doc, lines)
    doc.body.extend(_span(text, group) for group in _paragraphs(lines[k:], by_line))


def _opening(doc: SourceDocument, lines: list[Line]) -> int:
    """Line by line, the telegram header and addressee lines before the text proper starts."""
    addressed = False
    for k, line in enumerate(lines):
        field = Field(line.start, line.end, line.text)
        if doc.header is None and (_HEADER.match(line.text) or (_DATED_HEADER.match(line.text)
                                                                and not doc.addressees)):
            doc.header = field
        elif _is_addressee(line.text) or (addressed and _is_addressee_continuation(line.text)):
            doc.addressees.append(field)
            addressed = True
        elif line.text.startswith("["):  # an editorial note does not end the opening
            doc.body.append(field)
        else:
            return k
    return len(lines)


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
