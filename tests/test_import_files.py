"""The shared upload checks (inspections/imports/files.py): a file is what its content
says, not what its name says, and text is read in the encodings people save it in."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections.imports.files import (
    OLE_SIGNATURE,
    UploadRefused,
    check_upload,
    check_uploaded_file,
    decode_text,
)

TRACKER = ("csv", "xlsx")


def zip_of(*names: str, size: int = 10) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, "<x/>" + " " * size)
    return buffer.getvalue()


XLSX_LIKE = zip_of("[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCX_LIKE = zip_of("[Content_Types].xml", "word/document.xml")


def refusal(name: str, content: bytes, kinds: tuple[str, ...] = TRACKER) -> str:
    with pytest.raises(UploadRefused) as refused:
        check_upload(name, content, kinds)
    return str(refused.value)


# --- check_upload -------------------------------------------------------------------------


def test_a_csv_and_an_xlsx_pass_and_say_their_kind():
    assert check_upload("tracker.csv", b"a,b,c\n", TRACKER).kind == "csv"
    upload = check_upload("Tracker.XLSX", XLSX_LIKE, TRACKER)
    assert (upload.kind, upload.name, upload.content) == ("xlsx", "Tracker.XLSX", XLSX_LIKE)


def test_an_htm_file_is_a_web_page():
    assert check_upload("response.htm", b"<html></html>", ("html",)).kind == "html"


def test_the_name_loses_its_folder_and_direction_controls():
    upload = check_upload("C:\\fakepath\\tracker\u202e.csv", b"a,b\n", TRACKER)
    assert upload.name == "tracker.csv"


def test_an_empty_file_is_refused_by_name():
    assert refusal("tracker.csv", b"") == "The file tracker.csv is empty."


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.IMPORT_MAX_BYTES = 1024
    message = refusal("tracker.csv", b"x" * 1025)
    assert message == "The file tracker.csv is larger than 1.0\xa0KB. Split it, or remove images."


def test_an_oversized_upload_is_refused_before_it_is_read(settings):
    settings.IMPORT_MAX_BYTES = 1024

    class Unreadable(SimpleUploadedFile):
        def read(self, *args: object) -> bytes:
            raise AssertionError("read an oversized file")

    uploaded = Unreadable("tracker.csv", b"x" * 2000)
    with pytest.raises(UploadRefused, match=r"larger than 1\.0\xa0KB"):
        check_uploaded_file(uploaded, TRACKER)


def test_check_uploaded_file_reads_a_django_upload():
    uploaded = SimpleUploadedFile("tracker.csv", b"Title,Owner,Status\n")
    assert check_uploaded_file(uploaded, TRACKER).content == b"Title,Owner,Status\n"


@pytest.mark.parametrize("name", ["tracker.pdf", "tracker.xls", "tracker", "tracker.csv.exe"])
def test_a_type_the_import_does_not_read_is_refused_naming_the_types(name):
    assert refusal(name, b"data") == (
        f"{name} is not a file this import reads. Choose a CSV, Excel (.xlsx) file."
    )


def test_a_password_protected_xlsx_is_refused_saying_so():
    # Office encrypts a workbook into an OLE compound file; making a real one needs
    # msoffcrypto, which the project does not have, so this is the OLE signature and
    # padding, which is what the check reads.
    content = OLE_SIGNATURE + b"\x00" * 504
    assert refusal("tracker.xlsx", content) == (
        "tracker.xlsx is password-protected or in an old Office format. Remove the password "
        "(or save it as Excel (.xlsx)) and upload it again."
    )


def test_a_docx_renamed_xlsx_is_refused_as_a_word_document():
    assert refusal("tracker.xlsx", DOCX_LIKE) == (
        "tracker.xlsx is a Word document (.docx) renamed, not an Excel workbook (.xlsx)."
    )


def test_an_xlsx_renamed_docx_is_refused_as_a_workbook():
    assert refusal("response.docx", XLSX_LIKE, ("docx",)) == (
        "response.docx is an Excel workbook (.xlsx) renamed, not a Word document (.docx)."
    )


def test_a_plain_zip_renamed_docx_is_refused_as_a_zip():
    assert refusal("response.docx", zip_of("notes.txt"), ("docx",)) == (
        "response.docx is a ZIP archive, not a Word document (.docx)."
    )


def test_a_damaged_xlsx_is_refused():
    assert refusal("tracker.xlsx", b"PK\x03\x04 not really a zip") == (
        "tracker.xlsx is not a real Excel (.xlsx) file: it may be damaged."
    )


def test_a_workbook_that_unpacks_to_far_more_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 10_000
    bomb = zip_of("xl/workbook.xml", "xl/worksheets/sheet1.xml", size=300_000)
    assert len(bomb) < 10_000
    assert refusal("tracker.xlsx", bomb) == (
        "tracker.xlsx is too large once unpacked. Split it into smaller files."
    )


def test_a_workbook_renamed_csv_is_refused_as_a_workbook():
    assert refusal("tracker.csv", XLSX_LIKE) == (
        "tracker.csv is an Excel workbook or another Office file, not a CSV file. Upload the "
        "workbook as .xlsx, or save it as CSV first."
    )


def test_an_old_excel_file_renamed_csv_is_refused_as_an_office_file():
    assert "is an Excel workbook or another Office file" in refusal(
        "tracker.csv", OLE_SIGNATURE + b"\x00" * 100
    )


def test_a_pdf_renamed_csv_is_refused_as_a_pdf():
    assert refusal("tracker.csv", b"%PDF-1.7\n...") == "tracker.csv is a PDF, not a CSV file."


def test_a_pdf_must_be_a_pdf():
    assert check_upload("report.pdf", b"%PDF-1.4\n", ("pdf",)).kind == "pdf"
    assert refusal("report.pdf", b"<html>", ("pdf",)) == "report.pdf is not a real PDF file."


# --- decode_text --------------------------------------------------------------------------

TEXT = "Budget of £85,000 for the “Op Sentinel” review – the Chief’s board\n"


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        TEXT.encode("utf-8-sig"),
        TEXT.encode("utf-16"),  # with its byte order mark, little-endian here
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 LE with BOM", "utf-16 BE with BOM", "windows-1252"],
)
def test_text_is_read_exactly_in_each_encoding_people_save_it_in(encoded):
    assert decode_text(encoded) == TEXT


def test_welsh_and_nested_quotes_in_windows_1252_are_read():
    text = "Gwella’r gwasanaeth â phobl ifanc — “‘Ôl-troed’” and “‘eto’”…\n"
    assert decode_text(text.encode("cp1252")) == text


def test_dos_end_of_file_mark_is_dropped():
    assert decode_text(b"a,b\r\n\x1a") == "a,b\r\n"


ENCODING_REFUSED = (
    "The file is not in an encoding this import reads (UTF-8, UTF-16 or Windows-1252). "
    'Save it as "CSV UTF-8" and upload it again.'
)


@pytest.mark.parametrize(
    "encoded",
    [
        "Title,Owner,Status\nReview,alice,Open\n".encode("utf-16-le"),
        "Title,Owner\n£85,000 budget,alice\n".encode("utf-16-be"),
        "報告書,担当者,期限\n東京の警察,山田太郎,完了\n".encode("shift_jis"),
        "권고,담당자\n경찰청,완료\n".encode("euc-kr"),
        b"\xff\xfe\x00\x00T\x00\x00\x00",  # UTF-32: its mark looks like UTF-16's
    ],
    ids=["utf-16 LE without BOM", "utf-16 BE without BOM", "shift-jis", "euc-kr", "utf-32"],
)
def test_an_unexpected_encoding_is_refused_rather_than_misread(encoded):
    with pytest.raises(UploadRefused) as refused:
        decode_text(encoded)
    assert str(refused.value) == ENCODING_REFUSED


def test_binary_content_is_refused_as_not_text():
    with pytest.raises(UploadRefused, match="holds characters no text file has"):
        decode_text(b"Title,Owner\n\x01\x02\x03\x04binary")
