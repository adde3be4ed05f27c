"""The reader on the real seed and corpus pages, and on bad input written to disk."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import SEED_FILES
from extract.reader import InputError, input_files, load_manifest, parse_documents, read_file

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CORPUS = SEEDS / "corpus"
CORPUS2 = SEEDS / "corpus2"
ALL_FILES = SEED_FILES

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
    assert len(ALL_FILES) == 18 + 27


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
    assert [p.name for p in found] == [p.name for p in ALL_FILES]


# ---------------------------------------------------------------------------------------------
# corpus2: FRUS telegrams, British cables, a Qatar Digital Library transcription, listings without
# bullets, and more Wilson Center pages.


def doc_of(path: Path):
    [doc] = docs_of(path)
    return doc


def corpus2(prefix: str) -> Path:
    [path] = CORPUS2.glob(f"{prefix}_*.txt")
    return path


def write_page(tmp_path, content: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


FRUS = {  # file -> (file number, sender, transmission note, body paragraphs)
    "207": ("861.24591/3–1746", "Murray", None, 5),
    "208": ("861.24591/4–246", "Murray", "[Received April 3—6:45 a.m.]", 8),
    "215": ("891.00/1–2846", "Murray", None, 3),
    "216": ("891.00/10–546", "Allen", None, 4),
    "218": ("891.00/12–1245", "Murray", None, 7),
    "219": ("891.00/6–1746", "Allen", "[Received 11:39 a.m.]", 5),
}


@pytest.mark.parametrize("prefix", sorted(FRUS))
def test_frus_telegram_parts(prefix):
    number, sender, received, paragraphs = FRUS[prefix]
    path = corpus2(prefix)
    doc = doc_of(path)
    assert doc.kind == "page" and doc.doc_id == doc.file.file_id
    assert doc.title.text == f"The Ambassador in Iran ({sender}) to the Secretary of State"
    # the file number is the archival reference and, without a dateline, the header; never title or body
    assert doc.archival_reference.text == number
    assert doc.header.text == f"{number}: Telegram"
    assert doc.date is None and doc.date_iso == load_manifest(CORPUS2)[path.name]["date"]
    assert (doc.transmission.text if doc.transmission else None) == received
    assert len(doc.body) == paragraphs
    body = texts(doc.body)
    assert not any(number in t or "[Page" in t or "[Received" in t for t in body)
    assert not any(t.lower() in ("secret", "top secret", "us urgent", "us urgent niact") for t in body)
    # the telegram number ("1324.") is not part of the first paragraph
    assert doc.body[0].text[0].isalpha()
    assert doc.span.start == 0


def test_frus_216_page_marker_between_paragraphs_is_dropped():
    doc = doc_of(corpus2("216"))
    assert doc.body[0].text.startswith("Qavam told me today that his plans to attend UN General Assembly")
    assert doc.body[0].start == doc.file.text.index("1324. Qavam") + len("1324. ")
    assert doc.body[1].text.endswith("question of Abzerbaijan Army for further negotiation.")
    assert doc.body[2].text.startswith("In reply to my question, Qavam said")
    assert all("[Page 522]" not in f.text for f in doc.body)


def test_frus_208_page_marker_inside_a_paragraph_splits_it_and_list_items_keep_their_number():
    doc = doc_of(corpus2("208"))
    body = texts(doc.body)
    assert body[0].startswith("For the Secretary. Most unfortunately I did not receive")
    assert body[3] == "1.\n- Because he felt it too late to have any influence on Security Council proceedings and"
    assert body[4].startswith("2.\n- Because he feared his request to Soviet Ambassador")
    assert body[5].endswith("I remarked Russian bargaining position might")
    assert body[6].startswith("be weaker than he assumed. Soviet Govt was in very embarrassing position")
    assert all("[Page 402]" not in t for t in body)


def test_frus_218_numbered_items_are_paragraphs():
    doc = doc_of(corpus2("218"))
    assert doc.body[0].text.startswith("Press Attaché Young returned this morning by air")
    assert [t.split("\n")[0] for t in texts(doc.body[1:])] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert doc.body[2].text.startswith("2.\nGovernor General Bayat and Iranian Commanding General Derakhshaki")


def test_frus_219_footnote_is_body_text():
    doc = doc_of(corpus2("219"))
    assert doc.body[-1].text.startswith("In telegram 197, June 19, from Tabriz, Mr. Rossow analyzed the agreement")
    assert doc.body[2].text.endswith("is concerned with")  # "[Page 501]" splits the paragraph
    assert doc.body[3].text.startswith("Soviet Union will be dominating force in this area")


FRUS_PAGE = """\
761.91/3–2046: Telegram

The Chargé in the Soviet Union (Kennan) to the Secretary of State

top secret
niact

Moscow, March 20, 1946—6 p.m.
[Received March 20—4:10 p.m.]

812. Vyshinsky told me this afternoon that Soviet troops would leave Iran. He added that
[Page 380]
the matter was settled.

Kennan

- Not printed; Vyshinsky repeated this to Harriman.
"""


def test_frus_layout_on_an_invented_telegram(tmp_path):
    [doc] = parse_documents(read_file(write_page(tmp_path, FRUS_PAGE)))
    assert doc.kind == "page"
    assert doc.title.text == "The Chargé in the Soviet Union (Kennan) to the Secretary of State"
    assert doc.archival_reference.text == "761.91/3–2046"
    assert doc.header.text == "Moscow, March 20, 1946—6 p.m."  # the dateline is the header ...
    assert doc.date.text == "March 20, 1946" and doc.date_iso == "1946-03-20"  # ... and gives the date
    assert doc.transmission.text == "[Received March 20—4:10 p.m.]"
    assert texts(doc.body) == [
        "Vyshinsky told me this afternoon that Soviet troops would leave Iran. He added that",
        "the matter was settled.",
        "Kennan",  # the signature
        "Not printed; Vyshinsky repeated this to Harriman.",  # a footnote
    ]


def test_british_cable_214():
    doc = doc_of(corpus2("214"))
    assert doc.kind == "page"
    assert doc.title.text == ("Telegram from the British Embassy in Tehran to the Foreign Office, London, "
                              "describing Russian activity in Iran, 11 July 1945")
    assert doc.header.text == "FROM TEHRAN TO FOREIGN OFFICE"
    assert doc.date.text == "11 July 1945" and doc.date_iso == "1945-07-11"  # the date closing the title
    body = texts(doc.body)
    assert "CABINET DISTRIBUTION" not in body and "IMMEDIATE" not in body
    assert len(body) == 6
    assert body[0].startswith("There are many signs that Russians are making a tremendous effort")
    assert body[1].startswith("2. Violent article in Pravda")
    assert "Efforts of Tudeh[1] backed by Russians" in body[2]


def test_british_cable_layout_on_an_invented_telegram(tmp_path):
    page = ("Telegram from the British Consul at Tabriz to the Foreign Office, 3 May 1946\n\nSECRET\n\n"
            "FROM TABRIZ TO FOREIGN OFFICE\n\nMOST IMMEDIATE\n\nDemocrat troops entered Mianeh this morning.\n\n"
            "2. The Governor has left for Tehran[2].\n")
    [doc] = parse_documents(read_file(write_page(tmp_path, page)))
    assert doc.kind == "page"
    assert doc.title.text.startswith("Telegram from the British Consul at Tabriz")
    assert doc.header.text == "FROM TABRIZ TO FOREIGN OFFICE"
    assert doc.date_iso == "1946-05-03"
    assert texts(doc.body) == ["Democrat troops entered Mianeh this morning.",
                               "2. The Governor has left for Tehran[2]."]


QDL_CATALOGUE = ["Ext 5000/46(1)", "The record is made up of", "British Library", "Transcription",
                 "This transcription is created automatically", "It may contain errors"]


def test_qdl_transcription_222():
    doc = doc_of(corpus2("222"))
    assert doc.kind == "page"
    for f in all_fields(doc):
        for phrase in QDL_CATALOGUE:
            assert phrase not in f.text, (phrase, f)
    assert doc.span.start == doc.file.text.index("THIS DOCUMENT IS THE PROPERTY")
    # the despatch's own dateline (OCR'd into the first paragraph) is the header and gives the date,
    # rather than the print date 'October 31, 1946'
    assert doc.header.text == "Tehran, 2(PA October, 1946"
    assert doc.date.text == "October, 1946" and doc.date_iso == "1946-10"
    assert doc.archival_reference.text == "E 10733/149/34"
    assert doc.title is None
    body = texts(doc.body)
    assert body[:2] == ["THIS DOCUMENT IS THE PROPERTY OF HIS BRITANNIC MAJESTY’S GOVERNMENT", "PERSIA"]
    assert body[2] == "Sir,\nI HAVE the honour to transmit to you herewith a report on outstanding"
    assert body[3].startswith("events in Persia during the past quarter, for which I am indebted to\nMr. Watkinson")
    assert len(body) == 4  # hard-wrapped OCR lines: paragraphs are runs between blank lines
    assert not any(t in ("CONFIDENTIAL", "Section 1", "Copy No. 1 4 1", "(No.") for t in body)


def test_qdl_layout_on_an_invented_transcription(tmp_path):
    page = ("IOR/L/PS/12/3490 'Persia: Azerbaijan' [4r] (7/20)\nThe record is made up of 1 file.\nTranscription\n"
            "This transcription is created automatically. It may contain errors.\nCONFIDENTIAL\n[E 2231/5/34]\n"
            "Sir,\nI have the honour to report that the Democrats\nhave occupied the town hall.\n"
            "Tabriz, 4th March, 1946\n\nThe Consul has protested.\n")
    [doc] = parse_documents(read_file(write_page(tmp_path, page)))
    assert doc.title is None and doc.archival_reference.text == "E 2231/5/34"
    assert doc.header.text == "Tabriz, 4th March, 1946" and doc.date_iso == "1946-03"
    assert texts(doc.body) == ["Sir,\nI have the honour to report that the Democrats\nhave occupied the town hall.",
                               "The Consul has protested."]
    assert all("record is made up" not in f.text and "Transcription" not in f.text for f in all_fields(doc))


LISTING_FURNITURE = ["Skip to content", "Results:", "1 - 8 of 8", "1 - 10 of 10", "1 - 9 of 9", "Documents\n"]


@pytest.mark.parametrize("prefix, count", [("240", 6), ("241", 8), ("242", 6)])
def test_listings_without_bullets_have_one_record_per_date_line(prefix, count):
    path = corpus2(prefix)
    docs = docs_of(path)
    stem = path.stem.lower().replace("_", "-")
    assert [d.doc_id for d in docs] == [f"{stem}-{n:02d}" for n in range(1, count + 1)]
    assert {d.kind for d in docs} == {"listing-record"}
    for a, b in zip(docs, docs[1:]):
        assert a.span.end < b.span.start
    for d in docs:
        assert d.span.text.startswith(d.date.text) and d.body == []
        for f in filter(None, (d.title, d.summary, d.span)):
            assert not any(phrase in f.text + "\n" for phrase in LISTING_FURNITURE)


def test_listing_240_records_and_the_date_cut_off():
    docs = docs_of(corpus2("240"))
    assert [d.title.text if d.title else None for d in docs] == [
        "Cable from Tehran Nº 31343/31353", "Letter, I. V. Stalin to Cde. Pishevari",
        "Telegram, Lozovsky to I. V. Sadchikov",
        "Record of a Conversation between Cde. I. V. Stalin and Prime Minister of Iran Qavam-os-Saltaneh",
        "II. The Right to Territorial Restitution", None]
    assert [d.date_iso for d in docs] == ["1946-09-21", "1946-05-08", "1946-05-08", "1946-03-04", "1919-03", None]
    assert docs[0].summary.text.startswith("In a cable to the Soviet leadership, Soviet Ambassador to Iran")
    last = docs[-1]  # the page stops after 'February': a record whose date was cut off
    assert last.doc_id == "240-listing-rgaspi-iran-06"
    assert last.date.text == "February" and last.title is None and last.summary is None


def test_listing_241_year_dates_and_a_title_cut_off():
    docs = docs_of(corpus2("241"))
    assert [d.date.text for d in docs] == ["April 5, 1946", "March 22, 1954", "1952", "December 1952", "1953",
                                           "March 21, 1953", "August 21, 1953", "August 1953"]
    assert docs[2].date_iso == "1952" and docs[3].date_iso == "1952-12"
    assert docs[0].title.text == "Message from Bagirov and Maslennikov on April 4 meeting with Pishevari"
    assert docs[-1].title.text == "Message to the CC CPSU Presidium, from USSR" and docs[-1].summary is None


def test_listing_242_without_a_results_word():
    docs = docs_of(corpus2("242"))
    assert docs[0].date_iso == "1946-11-02" and docs[0].title.text == "Cable Nº 37172/37168 from Tehran"
    assert docs[-1].title.text == "Cable Nº 12753 from Tehran"
    assert docs[-1].summary.text.endswith("are attempting to remove him")


LISTING_PAGE = """\
Skip to content

Results:

1 - 4 of 4

Documents

January 5, 1946

Letter from Pishevari to Bagirov

Pishevari asks for arms.

1945

Report on Tabriz

A short report.

Undated

Note on the Kurds

March 4,"""


def test_listing_without_bullets_on_an_invented_page(tmp_path):
    docs = parse_documents(read_file(write_page(tmp_path, LISTING_PAGE, "listing.txt")))
    assert [d.doc_id for d in docs] == ["listing-01", "listing-02", "listing-03", "listing-04"]
    assert [d.date.text for d in docs] == ["January 5, 1946", "1945", "Undated", "March 4,"]
    assert [d.date_iso for d in docs] == ["1946-01-05", "1945", None, None]
    assert [d.title.text if d.title else None for d in docs] == [
        "Letter from Pishevari to Bagirov", "Report on Tabriz", "Note on the Kurds", None]
    assert docs[0].summary.text == "Pishevari asks for arms." and docs[2].summary is None


def test_a_month_name_inside_a_listing_is_not_a_record(tmp_path):
    page = "Results:\n\nMay 8, 1946\n\nLetter\n\nMay\n\nthe rest of the summary\n"
    docs = parse_documents(read_file(write_page(tmp_path, page, "listing.txt")))
    assert len(docs) == 1 and docs[0].summary.text == "May\n\nthe rest of the summary"


WILSON = {  # file -> (title, body paragraphs, summary start or None)
    "201": ("Message from Bagirov to Stalin and Molotov on Qavam’s trip to Moscow.", 10, None),
    "204": ("M. D. Bagirov, 'Concerning the Participation of Party", 8, "Over 1,400 workers"),
    "209": ("Letter, Dimitrov to Molotov, 'The Situation in the People's Party of Iran'", 20, None),
    "211": ("Record of a Conversation between Cde. I. V. Stalin and Prime Minister of Iran Qavam-os-Saltaneh", 15,
            "Stalin thanks Iranian Prime Minister"),
    "212": ("Cable Nº 32951/32947/32970 from Tehran", 4, None),
    "220": ("Cable Nº 12703/12705 from Tehran", 2, "Soviet Ambassador to Iran Ivan Sadchikov details"),
    "230": ("Telegram from Bagirov to Stalin about the situation in Southern Azerbaijan", 11,
            "A telegram from Bagirov to Stalin about violent attacks"),
    "231": ("Message from Prime Minister Ahmad Qavam to Ambassador Sadchikov About a Joint Oil Company", 8, None),
    "232": ("Message from Bagirov to Stalin and Molotov about Withdrawal of Troops from Northern Iran", 7,
            "Bagirov and Maslennikov report on intelligence activities"),
    "233": ("Letter, I. V. Stalin to Cde. Pishevari", 5, None),
    "234": ("Letter, Stalin to His Majesty Shah of Iran Mohammed Reza Pahlavi", 7, "Stalin thanks the Shah of Iran"),
    "235": ("Letter, Khosrow Egbal to I. V. Stalin", 15, "An Iranian journalist requests a personal interview"),
    "236": ("Letter, Mohammed Reza Pahlavi to Generalissimo Stalin, Chairman of the Council of Ministers", 6,
            "The Shah of Iran, Mohammed Reza Pahlavi, expresses"),
    "237": ("Cable from Tehran Nº 31343/31353", 6, None),
    "238": ("Telegram, Lozovsky to I. V. Sadchikov", 4, None),
    "239": ("Report to V. M. Molotov on Draft Instructions to Cde. Sadchikov, the Soviet Ambassador in Iran", 17, None),
}


@pytest.mark.parametrize("prefix", sorted(WILSON))
def test_wilson_pages_of_corpus2(prefix):
    title, paragraphs, summary = WILSON[prefix]
    path = corpus2(prefix)
    doc = doc_of(path)
    assert doc.kind == "page"
    assert doc.title.text.startswith(title)
    assert doc.date_iso == load_manifest(CORPUS2)[path.name]["date"]
    assert doc.date.text in doc.file.text.split("\n")[:5]  # the page's own date line
    assert len(doc.body) == paragraphs
    assert (doc.summary.text[:len(summary)] if doc.summary else None) == summary
    body = texts(doc.body)
    assert doc.title.text not in body and (doc.summary is None or doc.summary.text not in body)
    assert not any(t.startswith(("Nº", "Copy Nº", "Spets", "Outgoing", "Incoming", "| ")) for t in body)
    assert not any(t.upper() in ("CABLE", "STRICTLY SECRET", "CABLE STRICTLY SECRET", "URGENT", "TOP SECRET")
                   for t in body)


def test_230_and_234_the_closing_summary_wins_over_a_related_records_summary_first():
    for prefix, first in (("230", "A letter from Bagirov to Stalin and Molotov about public opinion"),
                          ("234", "Stalin informs Soviet Ambassador to Iran Ivan Sadchikov")):
        doc = doc_of(corpus2(prefix))
        assert doc.body[0].start == 0 and doc.body[0].text.startswith(first)  # still page text
        assert doc.summary.text not in texts(doc.body)
    assert doc.summary.text.startswith("Stalin thanks the Shah of Iran, Mohammed Reza Pahlavi, for his note")


def test_211_and_220_summary_first_and_no_closing_summary():
    # Both pages stop before their metadata tail, so nothing on the page tells the related record's
    # summary (211) from the document's own (220, 108): the line before the date is taken as the summary.
    for prefix in ("211", "220"):
        doc = doc_of(corpus2(prefix))
        assert doc.summary.start == 0
        assert doc.summary.text not in texts(doc.body) and doc.title.start > doc.summary.end
    assert doc_of(corpus2("211")).body[0].text.startswith("RECORD OF A CONVERSATION between Cde. I. V. STALIN")


def test_soviet_cable_form_212_220_237():
    doc = doc_of(corpus2("212"))
    assert doc.header.text == "from TEHRAN"
    assert doc.transmission.text == "Received at 1710\n\n2 October 1946"
    assert texts(doc.addressees) == [
        "Nº 2 – to Stalin", "Nº 3 – to Stalin", "Nº 4 – to Molotov", "Nº 5 – to Beria",
        "Nº 6 – to Malenkov", "Nº 7 – to Mikoyan", "Nº 8 – to Zhdanov", "Nº 9 – to Vyshinsky",
        "Nº 10 – to Dekanozov", "Nº 11 – Silin", "Nº 13 – to the 10th Department",
        "Nº 14 – to the 10th Department"]
    assert doc.body[0].text.startswith("Today I delivered the note to Qavam")
    doc = doc_of(corpus2("220"))
    assert doc.header.text == "from TEHRAN Nº 12703 received at 0125 27 April 1946 Copy Nº 2"
    assert texts(doc.addressees)[-1] == "Nº 13 – to the 10th Department"
    assert len(doc.body) == 2
    assert doc.body[0].text.startswith("[handwritten at the top:")
    assert doc.body[1].text.startswith("During yesterday’s conversation at his own initiative Muzaffar Firuz")
    doc = doc_of(corpus2("237"))
    assert doc.transmission.text == "Received at 1300\n\n21 November 1946"
    assert "Nº 5 – to Voroshilov" in texts(doc.addressees) and "Nº 8 – copy" not in texts(doc.addressees)
    assert doc.body[0].text.startswith("Today Qavam informed Baroyan")


def test_outgoing_cable_forms_233_238():
    doc = doc_of(corpus2("233"))
    assert doc.transmission.text == "Received at 0450,\n8 May 1946\n\n\n\nSent at 0850,\n8 May 1946"
    assert texts(doc.addressees) == ["to where TEHRAN   to whom TO SADCHIKOV Copy Nº 1"]
    assert doc.body[0].text.startswith("Read my following letter to Cde. Pishevari")
    doc = doc_of(corpus2("238"))
    assert texts(doc.addressees) == ["to where TEHRAN to whom THE SOVIET AMBASSADOR Copy Nº 1"]
    assert doc.body[0].text == "Take our following instructions for guidance:"


def test_235_dateline_header_and_236_note_over_two_lines_before_the_addressees():
    assert doc_of(corpus2("235")).header.text == "Moscow, 3 July 1946"
    doc = doc_of(corpus2("236"))
    assert doc.body[0].text == "[handwritten in the upper-left-\n\nhand corner: “5 September 1946”]"
    assert texts(doc.addressees) == ["to Generalissimo STALIN,", "Chairman of the Council of Ministers of the",
                                     "Union of Soviet Socialist Republics"]


MIRROR_PAGE = """\
A summary of another record, about a different letter entirely.
May 1, 1946
Cable from Tabriz
This document was made possible with support from MacArthur Foundation
CABLE SECRET
Copy Nº 1 – DISTRIBUTION LIST
Nº 2 – to Stalin
Nº 3 – to file
from TABRIZ Nº 401 received at 1200 1 May 1946
Spets NºNº 12-13
The Democrats have taken Zanjan.
Sadchikov reports that the Democrats have taken Zanjan.
Author(s):
Document Information
"""


def test_mirror_page_on_an_invented_cable(tmp_path):
    [doc] = parse_documents(read_file(write_page(tmp_path, MIRROR_PAGE)))
    assert doc.title.text == "Cable from Tabriz" and doc.date_iso == "1946-05-01"
    assert doc.summary.text == "Sadchikov reports that the Democrats have taken Zanjan."
    assert texts(doc.addressees) == ["Nº 2 – to Stalin"]
    assert doc.header.text == "from TABRIZ Nº 401 received at 1200 1 May 1946"
    assert texts(doc.body) == ["A summary of another record, about a different letter entirely.",
                               "The Democrats have taken Zanjan."]


def test_frus_source_note_other_than_a_decimal_file_and_a_bracketed_place(tmp_path):
    page = ("Moscow Embassy Files: Lot 56F233: Telegram\nMemorandum of Conversation, by the Ambassador in Iran "
            "(Murray)\nTop Secret\n[Tehran,] March 5, 1946.\nQavam called on me today.\nMurray\n")
    [doc] = parse_documents(read_file(write_page(tmp_path, page)))
    assert doc.archival_reference.text == "Moscow Embassy Files: Lot 56F233"
    assert doc.title.text == "Memorandum of Conversation, by the Ambassador in Iran (Murray)"
    assert doc.header.text == "[Tehran,] March 5, 1946." and doc.date_iso == "1946-03-05"
    assert texts(doc.body) == ["Qavam called on me today.", "Murray"]  # no blank lines: a paragraph per line
