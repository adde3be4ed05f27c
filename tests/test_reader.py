"""The reader on the real seed and corpus pages, and on bad input written to disk."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extract.reader import InputError, input_files, load_manifest, parse_documents, read_file

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CORPUS = SEEDS / "corpus"
ALL_FILES = sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))

BOILERPLATE = [
    "Skip to content", "This document was made possible", "Leon Levy Foundation", "Search in\n",
    "Digital Archive International History Declassified", "Document Information", "welcomes reuse",
    "To enquire about", "Original Uploaded Date", "Record ID", "get citation", "share document",
    "English HTML", "Author(s):", "Associated Places", "Associated Topics", "Subjects Discussed",
]


def docs_of(path: Path):
    return parse_documents(read_file(path))


def the_page(name: str):
    path = next(p for p in ALL_FILES if p.name.startswith(name))
    [doc] = docs_of(path)
    return doc


def texts(fields) -> list[str]:
    return [f.text for f in fields]


def all_fields(doc):
    singles = [doc.span, doc.title, doc.date, doc.header, doc.summary, doc.transmission, doc.archival_reference]
    return [f for f in singles if f is not None] + doc.addressees + doc.body


def test_the_real_files_are_all_there():
    assert len(ALL_FILES) == 18


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_field_is_the_exact_trimmed_slice_of_the_file(path):
    source = read_file(path)
    docs = parse_documents(source)
    assert docs
    for doc in docs:
        assert doc.file is source
        for f in all_fields(doc):
            assert source.text[f.start:f.end] == f.text
            assert f.text and f.text == f.text.strip()
            assert doc.span.start <= f.start <= f.end <= doc.span.end


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_no_boilerplate_in_title_body_summary_or_addressees(path):
    for doc in docs_of(path):
        fields = [doc.title, doc.summary, doc.header, *doc.addressees, *doc.body]
        for f in filter(None, fields):
            for phrase in BOILERPLATE:
                assert phrase not in f.text + "\n", (doc.doc_id, phrase, f.text)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_identity_and_source_url(path):
    source = read_file(path)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.text == path.read_bytes().decode("utf-8")
    assert source.file_id == path.stem.lower().replace("_", "-")
    assert source.source_url == load_manifest(path.parent)[path.name]["source_url"]
    assert source.source_url.startswith("http")


def test_corpus_pages_have_the_manifest_date_and_kind():
    manifest = load_manifest(CORPUS)
    for path in sorted(CORPUS.glob("*.txt")):
        docs = docs_of(path)
        if "listing" in path.name:
            assert {d.kind for d in docs} == {"listing-record"}
            continue
        [doc] = docs
        assert doc.kind == "page"
        assert doc.doc_id == doc.file.file_id
        assert doc.date_iso == manifest[path.name]["date"], path.name
        assert doc.title is not None and doc.body, path.name
        # the region runs from the date (or title) to the last kept part, without the site's frame
        assert doc.span.start <= min(f.start for f in (doc.date, doc.title) if f)
        assert all(doc.span.start <= f.start and f.end <= doc.span.end for f in doc.body)
        assert "Skip to content" not in doc.span.text


def test_seed_001_telegram_parts():
    doc = the_page("001_")
    assert doc.kind == "page"
    assert doc.date.text == "November 20, 1945" and doc.date_iso == "1945-11-20"
    assert doc.title.text == "Telegram from Baku to Moscow, 'Additional Information Received from Tabriz'"
    assert doc.header.text == "FROM BAKU 20 November 1945"
    assert texts(doc.addressees) == ["to MOSCOW, to Cde. STALIN, to Cde. MOLOTOV, to Cde. BERIA, and to Cde. MALENKOV"]
    assert doc.addressees[0].text.startswith("to MOSCOW, to Cde. STALIN")
    assert doc.transmission.text == "Received via VCh\n\n21 Nov 1945"
    assert doc.transmission.text.startswith("Received via VCh")
    assert doc.summary.text.startswith("Telegram to top Soviet officials discussing Iranian troop operations")
    assert doc.archival_reference.text == "RGASPI, f. 558, op. 11, d. 99, ll. 0005-0006"
    assert doc.contributor == "Jamil Hasanli"
    assert doc.translator == "Gary Goldberg"
    assert len(doc.body) == 3
    assert doc.body[0].text.startswith("According to additional information received from Tabriz")
    assert doc.body[2].text.startswith("The Kurds of Northern Kurdistan")


def test_seed_000_page_parts():
    doc = the_page("000_")
    assert doc.title.text == ("Telegram from Baku to Moscow, M.D. Bagriov and I.I. Maslennikov to "
                              "Cdes. Stalin, Molotov, Beria, and Malenkov")
    assert doc.date_iso == "1945-11-23"
    assert doc.header.text == "FROM BAKU 23 November 1945"
    assert doc.addressees == []
    assert doc.body[0].text == "We report information about Iranian Azerbaijan as of 2200 22 November."
    assert "We request your instructions." in texts(doc.body)
    assert doc.body[-1].text.startswith("The Iraqi consul in Tabriz is spreading")
    assert len(doc.body) == 10
    assert doc.transmission.text == "Received via VCh\n\n23 Nov 1945"
    assert doc.summary.text.startswith("Message sent to top Soviet officials reporting that Iranian troops")
    assert doc.summary.text not in texts(doc.body)
    assert doc.archival_reference.text == "RGASPI, f. 558, op. 11, d. 99, ll. 0049-0051"
    assert (doc.contributor, doc.translator) == ("Jamil Hasanli", "Gary Goldberg")


def test_seed_003_listing_has_one_record_per_bullet():
    path = SEEDS / "003_c0d2bb1156087dbf.txt"
    source = read_file(path)
    docs = parse_documents(source)
    assert len(docs) == source.text.count("•") == 20
    assert [d.doc_id for d in docs[:2]] == ["003-c0d2bb1156087dbf-01", "003-c0d2bb1156087dbf-02"]
    assert {d.kind for d in docs} == {"listing-record"}
    first = docs[0]
    assert first.date.text == "December 24, 1945" and first.date_iso == "1945-12-24"
    assert first.title.text == "Message to Bagirov from Molotov on Advisers for the National Government of Iranian Azerbaijan"
    assert first.summary.text.startswith("Molotov agrees to the proposal")
    assert first.body == [] and first.addressees == []
    assert docs[2].title.text == "Deciphered Telegram No. 2140/4, from Kozlov to Filippov [Stalin]"
    assert docs[2].date_iso == "1946-01-01"
    assert docs[3].date.text == "February, 1946" and docs[3].date_iso == "1946-02"
    assert docs[-1].date_iso == "1946-04-14"
    assert docs[-1].title.text == "Telegram from Bagirov to Stalin about the situation in Southern Azerbaijan"
    assert docs[-1].summary.text.endswith("pro-Soviet Iranians in Iranian Azerbaijan.")
    # records do not overlap and each covers its own bullet
    for a, b in zip(docs, docs[1:]):
        assert a.span.end < b.span.start
    for d in docs:
        assert d.span.text.startswith("•") and d.date.text in d.span.text


def test_listing_109_keeps_the_record_cut_off_mid_title():
    docs = docs_of(CORPUS / "109_listing-subject-separatism.txt")
    assert len(docs) == 8
    assert docs[0].date_iso == "1945-07-06"
    assert docs[1].summary.text == "Message requesting paper for the publication of newspapers and an illustrated magazine"
    last = docs[-1]
    assert last.doc_id == "109-listing-subject-separatism-08"
    assert last.date_iso == "1946-04-05"
    assert last.title.text == "Message from Bagirov an"
    assert last.summary is None


def test_listing_110_year_and_month_dates_and_cut_summary():
    docs = docs_of(CORPUS / "110_listing-coverage-tabriz.txt")
    assert len(docs) == 7
    assert docs[0].date.text == "1944" and docs[0].date_iso == "1944"
    assert docs[0].title.text == "Report on the Political and Economic Situation in Tabriz in 1943"
    assert docs[5].date.text == "July, 1945" and docs[5].date_iso == "1945-07"
    assert docs[-1].summary.text == "The Sovie"


def test_103_title_is_not_doubled_and_heading_dropped():
    doc = the_page("103_")
    title = "Telegram from Baku to Moscow, M.D. Bagriov and I.I. Maslennikov to Cdes. Stalin, Molotov, Beria, and Malenkov"
    assert doc.title.text == title
    assert doc.header.text == "FROM BAKU 26 November 1945"
    assert texts(doc.addressees) == ["to MOSCOW, to Cdes. STALIN, MOLOTOV, BERIA, and MALENKOV"]
    assert "TELEGRAM" not in texts(doc.body)
    assert doc.body[0].text == "We report the situation in Iranian Azerbaijan as of 0800 26 November."


def test_102_newer_layout_takes_title_and_reference_from_the_citation():
    doc = the_page("102_")
    assert doc.date_iso == "1945-11-24"
    assert doc.title.text == "Telegram from Baku to Moscow, 'Information about Iranian Azerbaijan'"
    assert doc.archival_reference.text == "RGASPI. F.558. Op.11. D.99. L.57-59"
    assert doc.contributor == "Jamil Hasanli"
    assert doc.translator == "Gary Goldberg"
    assert doc.summary.text.startswith("Message sent to top Soviet officials regarding recent hostilities")
    assert doc.header.text == "FROM BAKU 24 November 1945"
    assert doc.body[0].text == "We report information about Iranian Azerbaijan as of 2200 23 November."
    assert all("Citation" not in f.text for f in doc.body)
    assert len(doc.body) == 2


def test_104_and_106_addressee_lines():
    assert texts(the_page("104_").addressees) == ["To Cde. Stalin", "To Cde. Molotov"]
    doc = the_page("106_")
    assert texts(doc.addressees) == ["to Cde. Stalin", "to Cde. Molotov"]
    assert doc.body[0].text.startswith("On 4 February the American consul")


def test_105_and_107_headings_are_dropped():
    for name in ("105_", "107_"):
        doc = the_page(name)
        assert "Top Secret" not in texts(doc.body)
        assert doc.addressees == []
    assert the_page("107_").body[0].text == "from a telegraph report of Ashurov from Tehran"


def test_108_mirror_layout_summary_first_and_one_paragraph_per_line():
    doc = the_page("108_")
    assert doc.summary.text.startswith("Pishevari, the Chairman of the Democratic Party of Azerbaijan")
    assert doc.summary.start == 0
    assert doc.date.text == "April 5, 1946" and doc.date_iso == "1946-04-05"
    assert doc.title.text.startswith("Memo from Atakishiyev, Kerimov, Ibragimov, and Gasanov to Bagirov")
    assert "Memo" not in texts(doc.body)
    assert all("\n" not in f.text for f in doc.body)
    assert "2. Pishevari, Padegan, and Shabustari should conduct the talks." in texts(doc.body)


def test_111_mirror_layout_addressees_and_lines():
    doc = the_page("111_")
    assert doc.title.text == "Message from Bagirov on the Azerbaijani Majlis"
    assert texts(doc.addressees) == ["To Cde. Stalin", "To Cde. Molotov", "To Cde. Beriya", "To Cde. Malenkov"]
    assert all("\n" not in f.text for f in doc.body)
    assert "The Majlis approved the internal administrative budget." in texts(doc.body)


def test_112_four_addressees_then_the_appeal():
    doc = the_page("112_")
    assert texts(doc.addressees) == ["To Cde. Stalin", "To Cde. Molotov", "To Cde. Beriya", "To Cde. Malenkov"]
    assert doc.body[0].text.startswith("We are sending you an appeal")


def test_113_three_addressee_lines():
    doc = the_page("113_")
    assert texts(doc.addressees) == [
        "to USSR People’s Commissar of Internal Affairs",
        "Marshal of the Soviet  Union",
        "Cde. Beriya, L. P.",
    ]
    assert doc.body[0].text.startswith("In fulfillment of the decision of the CC CP(b)")
    # a body paragraph that merely starts with "To" is not an addressee
    assert any(f.text.startswith("To help the operatives") for f in doc.body)
    assert "Top Secret" not in texts(doc.body)


def test_114_mirror_layout_with_tail():
    doc = the_page("114_")
    assert doc.title.text == "Directorate of the MVD Border Troops of the Azerbaijan District"
    assert doc.title.text not in texts(doc.body)
    assert texts(doc.addressees) == [
        "To the Minster of Internal Affairs of the Azerbaijan SSR General-Lieutenant Cde. Yakubov",
        "To the Minister of State Security of the Azerbaijan SSR General-Major Cde. Yemel’yanov",
    ]
    assert doc.summary.text.startswith("Directorate of the MVD Border Troops of the Azerbaijan District to recheck")
    body = texts(doc.body)
    assert "Top Secret" not in body and "Series “K”" not in body
    assert body[0].startswith("According to information of zak. agent network[1]")
    assert body[-1].startswith("[2] The Shahsavan")
    assert doc.summary.text not in body


def test_115_date_title_and_paragraphs():
    doc = the_page("115_")
    assert doc.date_iso == "1946-12-09"
    assert doc.title.text == "Memo via a Telegraph Message from Tabriz"
    assert doc.header is None and doc.addressees == []
    assert doc.body[1].text == "However, these forces have not yet been completely destroyed."


def test_crlf_and_bom_keep_offsets_into_the_text_as_read(tmp_path):
    original = (SEEDS / "001_16b4ceed8b7928de.txt").read_text(encoding="utf-8")
    path = tmp_path / "crlf.txt"
    path.write_bytes(("\ufeff" + original.replace("\n", "\r\n")).encode("utf-8"))
    source = read_file(path)
    assert source.text.startswith("\ufeffSkip to content\r\n")
    [doc] = parse_documents(source)
    for f in all_fields(doc):
        assert source.text[f.start:f.end] == f.text and "\ufeff" not in f.text
    assert doc.header.text == "FROM BAKU 20 November 1945"
    assert doc.transmission.text == "Received via VCh\r\n\r\n21 Nov 1945"
    assert doc.archival_reference.text == "RGASPI, f. 558, op. 11, d. 99, ll. 0005-0006"


def test_plain_text_uses_the_manifest(tmp_path):
    (tmp_path / "notes.txt").write_text("Notes on Tabriz\n\nThe partisans\nentered the city.\n\nEnd.\n", encoding="utf-8")
    (tmp_path / "INDEX.tsv").write_text(
        "file\tsource_url\tdate\ttitle\tnote\nnotes.txt\thttps://example.org/n\t1945-12\tNotes on Tabriz\t\n",
        encoding="utf-8")
    source = read_file(tmp_path / "notes.txt")
    assert source.source_url == "https://example.org/n"
    [doc] = parse_documents(source)
    assert doc.kind == "plain" and doc.doc_id == "notes"
    assert doc.title.text == "Notes on Tabriz"
    assert doc.date is None and doc.date_iso == "1945-12"
    assert texts(doc.body) == ["The partisans\nentered the city.", "End."]


def test_load_manifest(tmp_path):
    assert load_manifest(tmp_path) == {}
    rows = load_manifest(CORPUS)
    assert rows["103_meyaneh-1945-11-26.txt"]["source_url"] == "http://digitalarchive.wilsoncenter.org/document/119112"
    assert rows["109_listing-subject-separatism.txt"]["date"] == ""
    assert len(rows) == 15


@pytest.mark.parametrize("content, problem", [
    (b"", "empty"),
    (b"  \n\t\r\n  \n", "only whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary"),
    (b"caf\xe9", "not UTF-8"),
])
def test_bad_input_is_refused(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_file(path)
    assert problem in info.value.problem
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: {info.value.problem}"


def test_latin1_error_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9")
    with pytest.raises(InputError, match="offset 3"):
        read_file(path)


def test_oversize_and_unreadable(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 100)
    with pytest.raises(InputError, match="too large: 100 bytes, limit 50"):
        read_file(path, max_bytes=50)
    assert read_file(path, max_bytes=100).text == "x" * 100
    with pytest.raises(InputError):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(InputError):
        read_file(tmp_path)


def test_input_files_walks_folders_and_skips_folder_documentation(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "INDEX.tsv").write_text("file\tsource_url\n")
    (tmp_path / "README.md").write_text("docs")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("c")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("c")
    (tmp_path / "sub" / "README").write_text("docs")
    found = input_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b.txt", "sub/c.txt"]
    # a file named explicitly is always taken, and nothing is taken twice
    assert input_files([tmp_path / "README.md", tmp_path]) == [tmp_path / "README.md", *found]
    with pytest.raises(InputError, match="no such file"):
        input_files([tmp_path / "nope"])


def test_input_files_on_the_seeds_folder():
    found = input_files([SEEDS])
    assert [p.name for p in found] == [p.name for p in sorted(SEEDS.glob("*.txt"))] + \
        [p.name for p in sorted(CORPUS.glob("*.txt"))]
