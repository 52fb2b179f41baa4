"""Importing a report's findings (issue 12): pasted text or the report's PDF is read for
recommendations, causes of concern, areas for improvement and innovative practice, with
their references, addressees and deadlines; a preview table lets the editor correct any
value and leave rows out; the ticked rows are added in one transaction, after the
report's own findings, through the same service as a finding added by hand. Importing the
same report again adds nothing twice."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import struct
import uuid
import zlib
from pathlib import Path

import pypdf
import pytest
import weasyprint
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.imports import findings as parser
from inspections.models import (
    Addressee,
    AuditEvent,
    AuditKind,
    FindingKind,
    InspectionReport,
    Marking,
    Response,
    ResponseStatus,
)
from inspections.reference_data import ADDRESSEES

from .factories import FindingFactory, ReportFactory, ResponseFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
PUBLISHED = dt.date(2025, 3, 12)
K = FindingKind


def fixture_text(name: str) -> str:
    return (FIXTURES / f"findings-{name}.txt").read_text(encoding="utf-8")


# --- Documents ----------------------------------------------------------------------------


@functools.cache
def report_pdf() -> bytes:
    """The PEEL report of findings-report.html as WeasyPrint prints it: seven pages with a
    running header, an OFFICIAL footer and page numbers."""
    html = (FIXTURES / "findings-report.html").read_text(encoding="utf-8")
    return bytes(weasyprint.HTML(string=html).write_pdf())


def png(width: int = 400, height: int = 560) -> bytes:
    """A grey picture with dark stripes, as a scanner makes of a page of text."""
    rows = b"".join(
        b"\x00" + (b"\x30" if (y // 12) % 2 else b"\xe0") * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@functools.cache
def scanned_pdf() -> bytes:
    """Two pages that are only pictures: no text layer at all."""
    uri = "data:image/png;base64," + base64.b64encode(png()).decode()
    page = f'<img src="{uri}" alt="" style="width: 100%">'
    html = f'{page}<div style="break-before: page">{page}</div>'
    return bytes(weasyprint.HTML(string=html).write_pdf())


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(user_password: str) -> bytes:
    """The report, encrypted: with a password to open it, or (an empty one) only to stop
    printing and copying."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(report_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- The parser ---------------------------------------------------------------------------


def summary(report: parser.ParsedReport) -> list[tuple[str, str, tuple[str, ...], str, object]]:
    return [
        (f.reference, f.cause_of_concern, f.addressees, f.deadline_text, f.deadline)
        for f in report.findings
    ]


def test_a_thematic_reports_recommendations_are_read_with_addressees_and_deadlines():
    read = parser.parse_text(fixture_text("thematic"), published_on=PUBLISHED)
    assert summary(read) == [
        (
            "Recommendation 1",
            "",
            ("chief-constables",),
            "by 30 September 2025",
            dt.date(2025, 9, 30),
        ),
        ("Recommendation 2", "", ("national-lead",), "by 31 March 2026", dt.date(2026, 3, 31)),
        (
            "Recommendation 3",
            "",
            ("college-of-policing",),
            "within six months",
            dt.date(2025, 9, 12),
        ),
        (
            "Recommendation 4",
            "",
            ("policing-bodies",),
            "by 31 December 2025",
            dt.date(2025, 12, 31),
        ),
        (
            "Recommendation 5",
            "",
            ("policing-bodies", "chief-constables"),
            "by the end of March 2026",
            dt.date(2026, 3, 31),
        ),
        ("Recommendation 6", "", ("home-office",), "by 30 June 2026", dt.date(2026, 6, 30)),
        ("AFI 1", "", ("chief-constables",), "", None),
        ("AFI 2", "", ("chief-constables",), "", None),
        ("Innovative practice 1", "", (), "", None),
    ]
    assert [f.kind for f in read.findings] == [K.RECOMMENDATION] * 6 + [
        K.AREA_FOR_IMPROVEMENT
    ] * 2 + [K.INNOVATIVE_PRACTICE]
    assert not read.warnings
    first, *_, practice = read.findings
    # Across the page break, the running header and the page number are gone.
    assert first.text == (
        "By 30 September 2025, chief constables should make sure that call handlers use a "
        "structured risk assessment for every call, and that the assessment takes account "
        "of the caller's previous contact with the force, including calls that did not "
        "lead to a recorded crime."
    )
    assert practice.text == (
        "the repeat caller review\nOne force holds a weekly review of its most frequent "
        "callers with mental health services, housing and the ambulance service, and "
        "agrees a plan for each caller."
    )
    everything = " ".join(f.text for f in read.findings)
    assert "Page 5" not in everything
    assert "An inspection of how well" not in everything
    assert "2021 report" not in everything  # "Recommendation 3 of that report" is prose


def test_a_peel_reports_causes_of_concern_bring_their_recommendations():
    read = parser.parse_text(fixture_text("peel"), published_on=PUBLISHED)
    assert summary(read) == [
        ("Cause of concern 1", "", (), "", None),
        (
            "Recommendation 1",
            "Cause of concern 1",
            ("chief-constables",),
            "within three months",
            dt.date(2025, 6, 12),
        ),
        (
            "Recommendation 2",
            "Cause of concern 1",
            ("chief-constables",),
            "within three months",
            dt.date(2025, 6, 12),
        ),
        (
            "Recommendation 3",
            "Cause of concern 1",
            ("chief-constables",),
            "within three months",
            dt.date(2025, 6, 12),
        ),
        ("Cause of concern 2", "", (), "", None),
        (
            "Recommendation 4",
            "Cause of concern 2",
            ("chief-constables",),
            "within six months",
            dt.date(2025, 9, 12),
        ),
        ("AFI 1", "", ("chief-constables",), "", None),
        ("AFI 2", "", ("chief-constables",), "", None),
        ("Innovative practice 1", "", (), "", None),
    ]
    texts = {f.reference: f.text for f in read.findings}
    # Each bullet point under the lead-in is a recommendation that reads whole.
    assert texts["Recommendation 2"] == (
        "Within three months, the force should make sure it has enough call handlers to "
        "answer non-emergency calls within its own target."
    )
    assert texts["Innovative practice 1"].startswith("Neighbourhood problem-solving hub\nThe force")
    assert "Inadequate" not in " ".join(texts.values())
    # The report numbers none of them: the warning says they were numbered in order.
    assert len(read.warnings) == 1
    assert "Recommendation 1, Recommendation 2" in read.warnings[0]


def test_a_joint_reports_r_numbers_and_lead_ins_name_the_addressees():
    read = parser.parse_text(fixture_text("joint"), published_on=PUBLISHED)
    assert summary(read) == [
        (
            "Recommendation 1",
            "",
            ("home-office", "moj-hmpps"),
            "by 31 January 2026",
            dt.date(2026, 1, 31),
        ),
        ("Recommendation 2", "", ("moj-hmpps",), "within 12 months", dt.date(2026, 3, 12)),
        ("Recommendation 3", "", ("national-lead",), "by 30 April 2026", dt.date(2026, 4, 30)),
        ("Recommendation 4", "", ("chief-constables",), "within 12 months", dt.date(2026, 3, 12)),
        ("Recommendation 5", "", ("policing-bodies",), "immediately", None),
        ("AFI 1", "", ("moj-hmpps", "chief-constables"), "", None),
        ("AFI 2", "", ("chief-constables",), "", None),
    ]
    assert read.findings[0].text == (
        "The Home Office and the Ministry of Justice should:\nBy 31 January 2026, agree a "
        "single process for sharing information about people released on licence who pose "
        "a risk of serious harm."
    )


def test_text_without_blank_lines_is_still_split_into_findings():
    read = parser.parse_text(fixture_text("dense"), published_on=PUBLISHED)
    assert summary(read) == [
        (
            "Recommendation 1",
            "",
            ("chief-constables",),
            "by 31 October 2025",
            dt.date(2025, 10, 31),
        ),
        ("Recommendation 2", "", ("policing-bodies",), "by 31 October", dt.date(2025, 10, 31)),
        (
            "Recommendation 3",
            "",
            ("college-of-policing",),
            "within three months",
            dt.date(2025, 6, 12),
        ),
    ]
    assert read.findings[2].text.endswith("stalking protection orders.")  # not "What we found"


def test_a_reports_pdf_is_read_across_pages_without_its_headers_footers_and_numbers():
    pages = parser.pdf_pages(report_pdf())
    assert len(pages) == 7
    # The fixture is what it claims: Recommendation 6 starts on page 4 and ends on page 5,
    # and every page but the cover carries the header, the marking and its number.
    assert "vulnerable callers ring again" in pages[3]
    assert "the force is doing." in pages[4]
    assert all("PEEL 2025–27: Wessex Constabulary" in page for page in pages[1:])
    read = parser.parse_pdf(report_pdf(), published_on=PUBLISHED)
    assert read.pages == 7
    assert [(f.reference, f.kind, f.page) for f in read.findings] == [
        ("Cause of concern 1", K.CAUSE_OF_CONCERN, 3),
        ("Recommendation 1", K.RECOMMENDATION, 3),
        ("Recommendation 2", K.RECOMMENDATION, 3),
        ("Recommendation 3", K.RECOMMENDATION, 3),
        ("Recommendation 4", K.RECOMMENDATION, 4),
        ("Recommendation 5", K.RECOMMENDATION, 4),
        ("Recommendation 6", K.RECOMMENDATION, 4),
        ("AFI 1", K.AREA_FOR_IMPROVEMENT, 6),
        ("Innovative practice 1", K.INNOVATIVE_PRACTICE, 6),
        ("AFI 2", K.AREA_FOR_IMPROVEMENT, 7),
    ]
    found = {f.reference: f for f in read.findings}
    assert [found[f"Recommendation {n}"].cause_of_concern for n in (1, 2, 3, 4)] == [
        "Cause of concern 1",
        "Cause of concern 1",
        "Cause of concern 1",
        "",
    ]
    assert found["Recommendation 5"].addressees == ("npcc", "college-of-policing")
    six = found["Recommendation 6"]
    assert six.addressees == ("policing-bodies",)
    assert (six.deadline_text, six.deadline) == ("within six months", dt.date(2025, 9, 12))
    assert six.text.endswith(
        "and should publish that information every quarter on their websites so that the "
        "public can see how well the force is doing."
    )
    everything = "\n".join(f.text for f in read.findings)
    for furniture in ("OFFICIAL", "Wessex Constabulary", "Contents", "....."):
        assert furniture not in everything
    assert "The force has made progress" not in everything  # the prose between findings


@pytest.mark.parametrize(
    ("text", "written", "deadline"),
    [
        (
            "By 31 March 2026, chief constables should act.",
            "by 31 March 2026",
            dt.date(2026, 3, 31),
        ),
        ("By the end of 2025, forces should act.", "by the end of 2025", dt.date(2025, 12, 31)),
        ("By June 2026, forces should act.", "by June 2026", dt.date(2026, 6, 30)),
        ("Within 12 weeks, forces should act.", "within 12 weeks", dt.date(2025, 6, 4)),
        ("Within a year, forces should act.", "within a year", dt.date(2026, 3, 12)),
        # A day and month without a year: the next one after publication.
        ("By 28 February, forces should act.", "by 28 February", dt.date(2026, 2, 28)),
        ("By 1 April, forces should act.", "by 1 April", dt.date(2025, 4, 1)),
        ("Forces should act without delay.", "", None),
    ],
)
def test_written_deadlines_are_kept_as_written_with_their_date(text, written, deadline):
    assert parser.deadline_of(text, PUBLISHED)[:2] == (written, deadline)


def test_a_deadline_that_is_no_date_is_kept_as_written_with_a_warning():
    read = parser.parse_text(
        "Recommendation 1\nBy 31 June 2026, chief constables should act.", published_on=PUBLISHED
    )
    (finding,) = read.findings
    assert (finding.deadline_text, finding.deadline) == ("by 31 June 2026", None)
    assert read.warnings == ("Recommendation 1: “By 31 June 2026” is not a real date.",)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Chief constables should act.", ("chief-constables",)),
        ("The force should act.", ("chief-constables",)),
        ("Police, fire and crime commissioners should act.", ("policing-bodies",)),
        ("PCCs and chief constables should act.", ("policing-bodies", "chief-constables")),
        ("The National Police Chiefs' Council should act.", ("npcc",)),
        ("The NPCC lead for roads policing should act.", ("national-lead",)),
        ("The senior national coordinator should act.", ("national-lead",)),
        ("The Home Secretary should act.", ("home-office",)),
        ("HMPPS should act.", ("moj-hmpps",)),
        ("Chief fire officers should act.", ("fire-chiefs",)),
        ("We recommend that the College of Policing should act.", ("college-of-policing",)),
        ("It is vital. The Home Office should act on forces.", ("home-office",)),
    ],
)
def test_addressees_are_read_from_the_words_before_should(text, codes):
    assert parser.addressees_of(text)[0] == codes


def test_a_recommendation_to_someone_unknown_is_marked_other_with_a_warning():
    read = parser.parse_text("Recommendation 1: The Crown Prosecution Service should act.")
    assert read.findings[0].addressees == ("other",)
    assert "“The Crown Prosecution Service”" in read.warnings[0]


def test_a_reference_met_twice_keeps_the_first_and_says_so_when_the_text_differs():
    text = (
        "Recommendations\n\nRecommendation 1\nChief constables should act.\n\n"
        "Chapter 3\n\nRecommendation 1\nChief constables should act now.\n"
    )
    read = parser.parse_text(text)
    assert [(f.reference, f.text) for f in read.findings] == [
        ("Recommendation 1", "Chief constables should act.")
    ]
    assert "appears more than once" in read.warnings[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (scanned_pdf, "needs a PDF with text: this one looks scanned"),
        (blank_pdf, "needs a PDF with text: this one looks scanned"),
        (lambda: encrypted_pdf("secret"), "This PDF is password-protected"),
        (lambda: report_pdf()[:2000], "could not be read: it may be damaged"),
    ],
)
def test_a_pdf_that_cannot_be_read_is_refused_with_a_reason(content, message):
    with pytest.raises(parser.FindingsRefused, match=message):
        parser.parse_pdf(content())


def test_a_pdf_encrypted_only_against_copying_is_read():
    read = parser.parse_pdf(encrypted_pdf(""), published_on=PUBLISHED)
    assert len(read.findings) == 10


# --- Through the app ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def addressees(db) -> dict[str, Addressee]:
    """The addressees of the reference data, as a deployment has them."""
    return {
        code: Addressee.objects.update_or_create(
            code=code, defaults={"name": name, "answerable": answerable, "position": position}
        )[0]
        for position, (code, name, answerable) in enumerate(ADDRESSEES)
    }


@pytest.fixture
def report(alice) -> InspectionReport:
    return ReportFactory.create(
        body=alice.body,
        title="PEEL 2025–27: An inspection of Wessex Constabulary",
        published_on=PUBLISHED,
    )


def url(report: InspectionReport) -> str:
    return f"/reports/{report.pk}/findings/import/"


def form_data(html: bytes) -> dict[str, list[str]]:
    """What the browser would send from the preview's form as it stands."""
    step = BeautifulSoup(html, "html.parser").find("input", {"name": "step"})
    assert step is not None, "the page has no preview form"
    form = step.find_parent("form")
    assert form is not None
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = str(field.get("name") or "")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "textarea":
            value = field.get_text().removeprefix("\n")
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            value = str(chosen.get("value", "")) if chosen else ""
        elif field.get("type") in {"radio", "checkbox"}:
            if not field.has_attr("checked"):
                continue
            value = str(field.get("value", "on"))
        else:
            value = str(field.get("value", ""))
        data.setdefault(name, []).append(value)
    return data


def paste(client, report: InspectionReport, text: str):
    return client.post(url(report), {"text": text})


def upload(client, report: InspectionReport, name: str, content: bytes):
    return client.post(url(report), {"file": SimpleUploadedFile(name, content)})


def confirm(client, report: InspectionReport, preview, **changes: str | list[str] | None):
    """Sends the preview's form as it stands, with `changes` (a name without value, as
    an unticked box, is left out when its change is None)."""
    assert preview.status_code in {200, 409, 422}, preview.content.decode()[:3000]
    data: dict[str, list[str] | str] = dict(form_data(preview.content))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url(report), data)


def row_for(preview, reference: str) -> int:
    """The formset index of the row with this reference."""
    data = form_data(preview.content)
    for name, values in data.items():
        if name.endswith("-reference") and values == [reference]:
            return int(name.split("-")[1])
    raise AssertionError(f"no row {reference}")


def imported() -> int:
    return AuditEvent.objects.filter(kind=AuditKind.IMPORTED).count()


def references(report: InspectionReport) -> list[str]:
    return list(report.findings.order_by("position").values_list("reference", flat=True))


def test_the_report_page_links_to_the_import(alice_client, report):
    page = alice_client.get(f"/reports/{report.pk}/")
    assert f'href="{url(report)}"' in page.text
    start = alice_client.get(url(report))
    assert start.status_code == 200
    assert "Paste the report&#x27;s text" in start.text or "Paste the report's text" in start.text
    assert 'enctype="multipart/form-data"' in start.text


def test_pasted_text_is_previewed_as_a_table_and_nothing_is_saved(alice_client, report):
    preview = paste(alice_client, report, fixture_text("thematic"))
    assert preview.status_code == 200
    assert "Check the findings to import" in preview.text
    assert "9 findings were read from the pasted text" in preview.text
    data = form_data(preview.content)
    assert data["rows-TOTAL_FORMS"] == ["9"]
    assert data["rows-0-reference"] == ["Recommendation 1"]
    assert data["rows-0-include"] == ["on"]
    assert data["rows-0-deadline_text"] == ["by 30 September 2025"]
    assert (data["rows-0-deadline-day"], data["rows-0-deadline-year"]) == (["30"], ["2025"])
    assert set(data["rows-4-addressees"]) == {
        str(Addressee.objects.get(code=c).pk) for c in ("chief-constables", "policing-bodies")
    }
    assert report.findings.count() == 0
    assert imported() == 0


def test_alice_imports_the_findings_in_order_with_their_links(alice, alice_client, report):
    preview = paste(alice_client, report, fixture_text("peel"))
    done = confirm(alice_client, report, preview)
    assert done.status_code == 302
    assert done["Location"] == f"/reports/{report.pk}/#findings"
    assert references(report) == [
        "Cause of concern 1",
        "Recommendation 1",
        "Recommendation 2",
        "Recommendation 3",
        "Cause of concern 2",
        "Recommendation 4",
        "AFI 1",
        "AFI 2",
        "Innovative practice 1",
    ]
    one = report.findings.get(reference="Recommendation 1")
    assert one.cause_of_concern == report.findings.get(reference="Cause of concern 1")
    assert report.findings.get(reference="Recommendation 4").cause_of_concern.reference == (
        "Cause of concern 2"
    )
    assert list(one.addressees.values_list("code", flat=True)) == ["chief-constables"]
    assert one.is_answerable()
    assert (one.deadline_text, one.deadline) == ("within three months", dt.date(2025, 6, 12))
    assert one.history.exists()  # added as any finding is, with its history
    page = alice_client.get(done["Location"])
    assert "9 findings imported." in page.text
    event = AuditEvent.objects.get(kind=AuditKind.IMPORTED)
    assert event.user == alice.user
    assert event.body == alice.body
    assert "9 added, 0 already in the report" in event.detail
    assert "pasted text" in event.detail


def test_alice_imports_the_reports_pdf(alice_client, report):
    preview = upload(alice_client, report, "wessex-peel-2025.pdf", report_pdf())
    assert preview.status_code == 200
    assert "10 findings were read from wessex-peel-2025.pdf (7 pages)" in preview.text
    assert confirm(alice_client, report, preview).status_code == 302
    assert report.findings.count() == 10
    six = report.findings.get(reference="Recommendation 6")
    assert six.text.endswith("how well the force is doing.")
    assert "wessex-peel-2025.pdf" in AuditEvent.objects.get(kind=AuditKind.IMPORTED).detail


def test_a_text_file_in_windows_1252_is_read_with_its_curly_quotes(alice_client, report):
    content = fixture_text("thematic").encode("cp1252")
    preview = upload(alice_client, report, "thematic.txt", content)
    assert preview.status_code == 200
    assert confirm(alice_client, report, preview).status_code == 302
    two = report.findings.get(reference="Recommendation 2")
    assert "National Police Chiefs’ Council lead" in two.text
    assert list(two.addressees.values_list("code", flat=True)) == ["national-lead"]


def test_a_cell_corrected_and_a_row_unticked_are_what_is_saved(alice_client, report):
    preview = paste(alice_client, report, fixture_text("thematic"))
    three, practice = (
        row_for(preview, "Recommendation 3"),
        row_for(preview, "Innovative practice 1"),
    )
    done = confirm(
        alice_client,
        report,
        preview,
        **{
            f"rows-{three}-text": "Within six months, the College of Policing should act.",
            f"rows-{three}-reference": "Recommendation 3a",
            f"rows-{three}-deadline-day": "1",
            f"rows-{practice}-include": None,
        },
    )
    assert done.status_code == 302
    assert "Innovative practice 1" not in references(report)
    corrected = report.findings.get(reference="Recommendation 3a")
    assert corrected.text == "Within six months, the College of Policing should act."
    assert corrected.deadline == dt.date(2025, 9, 1)
    assert report.findings.count() == 8


def test_reimporting_the_same_report_adds_nothing_twice(alice_client, report):
    text = fixture_text("peel")
    first = paste(alice_client, report, text)
    assert confirm(alice_client, report, first).status_code == 302
    again = paste(alice_client, report, text)
    assert again.status_code == 200
    assert again.text.count("Already in the report") == 9
    assert "there is nothing new to import" in again.text
    assert "Import the ticked findings" not in again.text
    # An old preview sent again (from another tab) is refused row by row, adding nothing.
    stale = confirm(alice_client, report, first, submission_key=str(uuid.uuid4()))
    assert stale.status_code == 422
    assert "The report already has Recommendation 1" in stale.text
    assert report.findings.count() == 9


def test_findings_already_in_the_report_are_shown_and_the_rest_added_after_them(
    alice_client, report
):
    FindingFactory.create(report=report, reference="AFI 9", position=0, kind=K.AREA_FOR_IMPROVEMENT)
    FindingFactory.create(report=report, reference="recommendation 2", position=1)
    preview = paste(alice_client, report, fixture_text("thematic"))
    assert preview.text.count("Already in the report") == 1
    assert "1 are already" not in preview.text
    assert "One is already in the report" in preview.text
    done = confirm(alice_client, report, preview)
    assert done.status_code == 302
    assert references(report)[:3] == ["AFI 9", "recommendation 2", "Recommendation 1"]
    assert report.findings.count() == 10
    page = alice_client.get(done["Location"])
    assert "8 findings imported. 1 was already in the report" in page.text
    assert (
        "8 added, 1 already in the report" in AuditEvent.objects.get(kind=AuditKind.IMPORTED).detail
    )


def test_a_confirmation_sent_twice_imports_once(alice_client, report):
    preview = paste(alice_client, report, fixture_text("joint"))
    data = form_data(preview.content)
    first = alice_client.post(url(report), data)
    second = alice_client.post(url(report), data)
    assert first.status_code == second.status_code == 302
    assert report.findings.count() == 7
    assert imported() == 1


def test_invalid_cells_are_shown_again_with_the_users_text_and_linked_errors(alice_client, report):
    preview = paste(alice_client, report, fixture_text("thematic"))
    refused = confirm(
        alice_client,
        report,
        preview,
        **{
            "rows-0-reference": "",
            "rows-0-text": "My careful rewording of the first recommendation",
            "rows-1-deadline-day": "31",
            "rows-1-deadline-month": "2",
            "rows-1-deadline-year": "2026",
        },
    )
    assert refused.status_code == 422
    assert refused.text.count("govuk-error-summary__list") == 1
    assert 'href="#id_rows-0-reference"' in refused.text
    assert "Row 1: Enter the reference" in refused.text
    assert 'href="#id_rows-1-deadline-day"' in refused.text
    assert "Row 2 (Recommendation 2): The deadline must be a real date." in refused.text
    assert "My careful rewording of the first recommendation" in refused.text
    assert "<title>Error: Check the findings to import" in refused.text
    again = form_data(refused.content)
    assert again["rows-1-deadline-day"] == ["31"]
    assert again["rows-TOTAL_FORMS"] == ["9"]
    assert report.findings.count() == 0
    assert imported() == 0
    # Corrected on the page shown again, it imports.
    done = confirm(
        alice_client,
        report,
        refused,
        **{"rows-0-reference": "Recommendation 1", "rows-1-deadline-day": "28"},
    )
    assert done.status_code == 302
    assert report.findings.get(reference="Recommendation 2").deadline == dt.date(2026, 2, 28)


def test_rows_that_contradict_each_other_are_refused(alice_client, report):
    preview = paste(alice_client, report, fixture_text("peel"))
    concern = row_for(preview, "Cause of concern 1")
    afi = row_for(preview, "AFI 1")
    refused = confirm(
        alice_client,
        report,
        preview,
        **{
            f"rows-{concern}-include": None,  # its recommendations still point to it
            f"rows-{afi}-reference": "AFI 2",
        },
    )
    assert refused.status_code == 422
    assert "Cause of concern 1 is not in the report and not imported above this row" in refused.text
    assert "AFI 2 is in the table twice" in refused.text
    assert report.findings.count() == 0


def test_nothing_ticked_is_refused(alice_client, report):
    preview = paste(alice_client, report, fixture_text("joint"))
    unticked = {f"rows-{i}-include": None for i in range(7)}
    refused = confirm(alice_client, report, preview, **unticked)
    assert refused.status_code == 422
    assert 'href="#findings-table"' in refused.text
    assert "Tick at least one finding to import." in refused.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"", "The file report.pdf is empty."),
        ("report.docx", b"PK\x03\x04 not really", "is not a file this import reads"),
        ("report.pdf", b"<html>not a pdf</html>", "report.pdf is not a real PDF file."),
        ("scan.pdf", None, "scan.pdf: This import needs a PDF with text: this one looks scanned"),
        ("locked.pdf", "locked", "locked.pdf: This PDF is password-protected."),
        ("utf16.txt", b"\xff\xfe\x00\xd8", "not in an encoding this import reads"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_saved(
    alice_client, report, name, content, message
):
    if content is None:
        content = scanned_pdf()
    elif content == "locked":
        content = encrypted_pdf("secret")
    refused = upload(alice_client, report, name, content)
    assert refused.status_code == 422
    assert message in refused.content.decode()
    assert 'href="#source-file"' in refused.text
    assert report.findings.count() == 0
    assert imported() == 0


def test_text_with_no_findings_is_refused_and_kept(alice_client, report):
    text = fixture_text("none")
    refused = paste(alice_client, report, text)
    assert refused.status_code == 422
    assert "No recommendations, causes of concern, areas for improvement" in refused.text
    textarea = BeautifulSoup(refused.content, "html.parser").find("textarea", {"name": "text"})
    assert textarea is not None
    assert textarea.get_text().strip() == text.strip()


def test_nothing_pasted_or_both_pasted_and_uploaded_are_refused(alice_client, report):
    empty = alice_client.post(url(report), {"text": "  "})
    assert empty.status_code == 422
    assert "Paste the report&#x27;s text, or choose its PDF." in empty.text
    both = alice_client.post(
        url(report), {"text": "Recommendation 1", "file": SimpleUploadedFile("r.pdf", b"x")}
    )
    assert both.status_code == 422
    assert "not both" in both.text


def test_under_an_approved_response_the_import_asks_why_and_returns_it_to_draft(
    alice_client, pat, report
):
    response = ResponseFactory.create(report=report, status=ResponseStatus.APPROVED)
    preview = paste(alice_client, report, fixture_text("joint"))
    assert 'name="change_reason"' in preview.text
    refused = confirm(alice_client, report, preview)
    assert refused.status_code == 422
    assert 'href="#confirm-change_reason"' in refused.text
    assert report.findings.count() == 0
    done = confirm(
        alice_client, report, refused, change_reason="The inspectorate published an annex."
    )
    assert done.status_code == 302
    assert report.findings.count() == 7
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT
    reason = response.history.first().history_change_reason
    assert "The inspectorate published an annex." in reason


def test_a_response_approved_after_the_preview_opened_still_asks_why(alice_client, report):
    preview = paste(alice_client, report, fixture_text("joint"))
    assert 'name="change_reason"' not in preview.text
    ResponseFactory.create(report=report, status=ResponseStatus.READY_FOR_APPROVAL)
    asked = confirm(alice_client, report, preview)
    assert asked.status_code == 422
    assert 'name="change_reason"' in asked.text
    assert report.findings.count() == 0
    assert imported() == 0
    assert Response.objects.get().status == ResponseStatus.READY_FOR_APPROVAL


def test_an_official_sensitive_report_shows_its_marking(alice_client, report):
    InspectionReport.objects.filter(pk=report.pk).update(marking=Marking.OFFICIAL_SENSITIVE)
    assert "OFFICIAL-SENSITIVE" in alice_client.get(url(report)).text
    assert "OFFICIAL-SENSITIVE" in paste(alice_client, report, fixture_text("joint")).text


# --- Who may import -----------------------------------------------------------------------


def test_an_analyst_may_not_import(ana_client, report):
    assert ana_client.get(url(report)).status_code == 403
    assert paste(ana_client, report, fixture_text("joint")).status_code == 403
    assert report.findings.count() == 0


def test_a_force_contributor_gets_a_404(cora_client, report):
    assert cora_client.get(url(report)).status_code == 404
    assert paste(cora_client, report, fixture_text("joint")).status_code == 404


def test_another_bodys_report_is_a_404_for_every_step(alice_client, olly_client, report):
    assert olly_client.get(url(report)).status_code == 404
    assert paste(olly_client, report, fixture_text("joint")).status_code == 404
    preview = paste(alice_client, report, fixture_text("joint"))
    assert olly_client.post(url(report), form_data(preview.content)).status_code == 404
    assert report.findings.count() == 0


def test_signed_out_is_sent_to_sign_in(client, report):
    response = client.get(url(report))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_only_get_and_post_are_allowed(alice_client, report):
    assert alice_client.put(url(report)).status_code == 405
    assert alice_client.delete(url(report)).status_code == 405


# --- Queries ------------------------------------------------------------------------------


def many(n: int) -> str:
    return "\n\n".join(
        f"Recommendation {i}\nBy 31 March 2026, chief constables should improve step {i}."
        for i in range(1, n + 1)
    )


def test_the_previews_queries_do_not_grow_with_its_rows(
    alice_client, report, django_assert_max_num_queries
):
    FindingFactory.create(report=report, reference="Recommendation 2", position=0)
    counted = []
    for n in (3, 60):
        with CaptureQueriesContext(connection) as queries:
            preview = paste(alice_client, report, many(n))
        assert preview.status_code == 200
        counted.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            refused = confirm(alice_client, report, preview, **{"rows-0-reference": ""})
        assert refused.status_code == 422
        counted.append(len(queries))
    assert counted[0] == counted[2], counted  # the preview
    assert counted[1] == counted[3], counted  # the preview shown again with its errors
    with django_assert_max_num_queries(9):
        paste(alice_client, report, many(60))
