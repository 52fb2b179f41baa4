"""Importing a published response (issue 12): pasted text, a saved web page or a Word
document is read into a preview where every field can be corrected; nothing is saved
until the editor confirms, and then the response is published with its edition, in one
transaction."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.datafiles.demo import PublishedText
from inspections.imports import responses as parser
from inspections.models import (
    AuditEvent,
    AuditKind,
    Finding,
    InspectionReport,
    ReportType,
    Response,
    ResponseEdition,
    ResponseEntry,
    ResponseStatus,
    Scope,
    SubmissionKey,
)

from .factories import FindingFactory, ReportFactory, ResponseFactory, addressee, inspectorate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "inspections/data/hampshire-iow-terrorist-offenders-2023-07.txt").read_text()
FIXTURES = Path(__file__).parent / "fixtures" / "imports"
LETTER = (FIXTURES / "response-letter-home-secretary.txt").read_text()
PAGE = (FIXTURES / "response-saved-page.html").read_text()
START = "/imports/response/"
CONFIRM = "/imports/response/confirm/"
OFFICE = "Office of the Police and Crime Commissioner, Hampshire and Isle of Wight"
TERRORISM = "Management of terrorist offenders in the wake of terrorist attacks"
STALKING = "An inspection of how well the police respond to stalking and harassment"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # editions store their PDF


@pytest.fixture
def terrorism_report(alice) -> InspectionReport:
    """The joint inspection the sample answers: its police recommendations went to
    Counter Terrorism Policing, so none needs the body's entry."""
    report = ReportFactory.create(
        body=alice.body,
        title=TERRORISM,
        report_type=ReportType.JOINT,
        published_on=dt.date(2023, 7, 20),
        lead_inspectorate=inspectorate("hmi-probation"),
    )
    for n in (19, 20, 21):
        FindingFactory.create(
            report=report,
            reference=f"Recommendation {n}",
            text="A police recommendation for Counter Terrorism Policing.",
            addressed_to=[addressee("national-lead", answerable=False)],
        )
    return report


@pytest.fixture
def stalking_report(alice) -> InspectionReport:
    """The report the letter answers. Its third recommendation is numbered differently
    here (the letter's text still matches it), and the fourth is for the Home Office."""
    report = ReportFactory.create(
        body=alice.body, title=STALKING, published_on=dt.date(2023, 11, 14)
    )
    texts = {
        "Recommendation 1": "By 31 May 2024, chief constables should make sure that every "
        "report of stalking is recorded as a crime at the first point of contact, and that a "
        "supervisor reviews the recording within 24 hours.",
        "Recommendation 2": "By 30 June 2024, chief constables should make sure that a "
        "stalking protection order is considered in every stalking investigation, and that "
        "the reason for not applying for one is recorded.",
        "Recommendation 3 (PCCs)": "Police and crime commissioners should review the "
        "specialist stalking advocacy services available in their area and make sure that "
        "every victim who needs one can get an independent stalking advocate.",
        "Recommendation 4": "The Home Office should publish updated statutory guidance on "
        "stalking protection orders.",
    }
    for reference, text in texts.items():
        to = (
            addressee("home-office", answerable=False)
            if reference.endswith("4")
            else addressee("pccs")
            if "PCC" in reference
            else addressee()
        )
        FindingFactory.create(report=report, reference=reference, text=text, addressed_to=[to])
    return report


def form_values(html: bytes, action: str = CONFIRM) -> dict[str, str]:
    """What the browser would send from the page's form as it stands."""
    form = BeautifulSoup(html, "html.parser").find("form", action=action)
    assert form is not None, "the page has no such form"
    data: dict[str, str] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = str(field.get("name") or "")
        if not name:
            continue
        if field.name == "textarea":
            data[name] = field.get_text().removeprefix("\n")
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data[name] = str(chosen.get("value", "")) if chosen else ""
        elif field.get("type") in {"radio", "checkbox"}:
            if field.has_attr("checked"):
                data[name] = str(field.get("value", "on"))
        elif field.get("type") != "submit":
            data[name] = str(field.get("value", ""))
    return data


def paste(client, text: str, **extra: str):
    return client.post(START, {"text": text, **extra})


def upload(client, name: str, content: bytes):
    return client.post(START, {"file": SimpleUploadedFile(name, content)})


def confirm(client, preview, **changes: str):
    """Sends the preview's form (or a preview shown again with its errors) as it stands,
    with `changes`, to import it."""
    assert preview.status_code in {200, 422}, preview.content.decode()[:2000]
    data = form_values(preview.content) | {"action": "confirm"} | changes
    return client.post(CONFIRM, data)


def published_on(day: dt.date) -> dict[str, str]:
    return {
        "published_on-day": str(day.day),
        "published_on-month": str(day.month),
        "published_on-year": str(day.year),
    }


def counts() -> dict[str, int]:
    models = (Response, ResponseEntry, ResponseEdition, InspectionReport, Finding, SubmissionKey)
    numbers = {model.__name__: model.objects.count() for model in models}
    numbers["imported"] = AuditEvent.objects.filter(kind=AuditKind.IMPORTED).count()
    return numbers


# --- The published format: the sample -----------------------------------------------------


def test_the_sample_is_read_field_by_field_as_the_demo_reads_it():
    parsed = parser.parse_text(SAMPLE)
    demo = PublishedText.parse(SAMPLE, "Police and Crime Commissioner")
    assert parsed.title == TERRORISM
    assert (parsed.month, parsed.year, parsed.month_year) == (7, 2023, "July 2023")
    assert parsed.response_from == OFFICE == demo.office
    assert parsed.comments == "\n\n".join(demo.paragraphs)
    assert parsed.comments.startswith("Terror attacks are not just for our metropolitan areas")
    assert parsed.comments.endswith("in order to keep our communities safe.")
    assert parsed.comments.count("\n\n") == 2
    assert (parsed.signatory_name, parsed.signatory_role) == (
        "Donna Jones",
        "Police and Crime Commissioner",
    )
    assert parsed.closing_line == demo.closing_line
    assert parsed.closing_line == (
        "No recommendations were made for Chief Constables or Police and Crime Commissioners."
    )
    assert parsed.entries == []
    assert parsed.chief_comments == ""
    assert parsed.published_on is None
    assert parsed.warnings == ["No publication date was found. Enter the date it was published."]


def test_the_preview_shows_every_field_of_the_sample_and_saves_nothing(
    alice_client, terrorism_report
):
    before = counts()
    preview = paste(alice_client, SAMPLE)
    assert preview.status_code == 200
    values = form_values(preview.content)
    assert values["report"] == str(terrorism_report.pk)  # matched by title and month
    assert values["title"] == TERRORISM
    assert values["month_year"] == "July 2023"
    assert values["response_from"] == OFFICE
    assert values["comments"] == parser.parse_text(SAMPLE).comments
    assert values["signatory_name"] == "Donna Jones"
    assert values["signatory_role"] == "Police and Crime Commissioner"
    assert values["closing_line"].startswith("No recommendations were made")
    assert values["published_on-day"] == ""
    assert values["entries-TOTAL_FORMS"] == "0"
    assert b"No publication date was found" in preview.content
    assert counts() == before


def test_alice_imports_the_sample_and_it_is_published_with_edition_1(
    alice, alice_client, terrorism_report
):
    preview = paste(alice_client, SAMPLE)
    saved = confirm(alice_client, preview, **published_on(dt.date(2023, 9, 7)))
    response = Response.objects.get(report=terrorism_report)
    assert saved.status_code == 302
    assert saved["Location"] == f"/responses/{response.pk}/"
    assert response.status == ResponseStatus.PUBLISHED
    assert response.published_on == dt.date(2023, 9, 7)
    assert response.due_on == dt.date(2023, 9, 13)  # the report's statutory clock
    assert response.published_late is False
    assert response.approved_by is None  # approved outside the app
    assert response.comments == parser.parse_text(SAMPLE).comments
    assert (response.signatory_name, response.signatory_role) == (
        "Donna Jones",
        "Police and Crime Commissioner",
    )
    assert response.closing_line.startswith("No recommendations were made")
    edition = response.editions.get()
    assert edition.number == 1
    assert edition.content["title"] == f"{TERRORISM} (July 2023)"
    assert edition.content["office"] == OFFICE
    assert edition.content["comments"] == response.comments
    assert edition.content["entries"] == []
    assert edition.pdf_sha256
    assert "Imported from pasted text" in response.history.first().history_change_reason
    event = AuditEvent.objects.get(kind=AuditKind.IMPORTED)
    assert event.user == alice.user
    assert event.body == alice.body
    assert TERRORISM in event.detail
    page = alice_client.get(saved["Location"])
    assert b"Response imported and published (edition 1)" in page.content
    assert b"Published and copies sent" not in page.content
    assert "Published" in page.content.decode()


def test_a_field_corrected_in_the_preview_is_what_is_saved(alice_client, terrorism_report):
    preview = paste(alice_client, SAMPLE)
    confirm(
        alice_client,
        preview,
        signatory_role="Police and Crime Commissioner for Hampshire and Isle of Wight",
        published_url="https://www.hampshire-pcc.example.gov.uk/terrorist-offenders",
        **published_on(dt.date(2023, 9, 7)),
    )
    response = Response.objects.get(report=terrorism_report)
    assert response.signatory_role.endswith("for Hampshire and Isle of Wight")
    assert response.published_url == "https://www.hampshire-pcc.example.gov.uk/terrorist-offenders"
    assert response.editions.get().published_url == response.published_url


def test_a_confirm_sent_twice_makes_one_response(alice_client, terrorism_report):
    preview = paste(alice_client, SAMPLE)
    data = form_values(preview.content) | {"action": "confirm"} | published_on(dt.date(2023, 9, 7))
    first = alice_client.post(CONFIRM, data)
    second = alice_client.post(CONFIRM, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Response.objects.filter(report=terrorism_report).count() == 1
    assert ResponseEdition.objects.count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORTED).count() == 1


def test_the_publication_date_is_needed_and_the_preview_keeps_every_correction(
    alice_client, terrorism_report
):
    preview = paste(alice_client, SAMPLE)
    before = counts()
    refused = confirm(alice_client, preview, signatory_name="Donna Jones PCC")
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "Enter the date the response was published." in page
    assert 'href="#import-published_on-day"' in page
    assert form_values(refused.content)["signatory_name"] == "Donna Jones PCC"
    assert counts() == before


def test_a_publication_date_before_the_report_is_refused_by_the_workflows_own_rule(
    alice_client, terrorism_report
):
    preview = paste(alice_client, SAMPLE)
    before = counts()
    refused = confirm(alice_client, preview, **published_on(dt.date(2023, 7, 1)))
    assert refused.status_code == 422
    assert "cannot be published before the report itself (20 July 2023)" in refused.content.decode()
    assert counts() == before


def test_a_report_with_a_response_already_is_refused_with_a_link_to_it(
    alice_client, terrorism_report
):
    preview = paste(alice_client, SAMPLE)
    existing = ResponseFactory.create(report=terrorism_report)
    before = counts()
    refused = confirm(alice_client, preview, **published_on(dt.date(2023, 9, 7)))
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "This report already has a response" in page
    assert f'href="/responses/{existing.pk}/"' in page
    assert counts() == before
    # The preview says so before anyone confirms.
    again = paste(alice_client, SAMPLE)
    assert b'id="existing-response"' in again.content


# --- The letter to the Home Secretary ----------------------------------------------------


def test_the_letter_is_read_with_each_quoted_recommendation_and_its_comment():
    parsed = parser.parse_text(LETTER)
    assert parsed.title == STALKING
    assert parsed.month_year == "November 2023"
    assert parsed.response_from == (
        "Office of the Police and Crime Commissioner for Hampshire and Isle of Wight"
    )
    assert parsed.published_on == dt.date(2024, 1, 11)  # the letter's date
    assert parsed.signatory_name == "Donna Jones"
    assert parsed.signatory_role == "Police and Crime Commissioner for Hampshire and Isle of Wight"
    assert parsed.closing_line == ""
    assert [e.reference for e in parsed.entries] == [
        "Recommendation 1",
        "Recommendation 2",
        "Recommendation 3",
    ]
    first, second, third = parsed.entries
    assert first.recommendation.startswith("By 31 May 2024, chief constables should")
    assert first.comment.startswith("The Constabulary has reviewed")
    assert "Response:" not in first.comment
    # In quotation marks, which are not part of the text.
    assert second.recommendation.startswith("By 30 June 2024")
    assert second.recommendation.endswith("is recorded.")
    assert second.comment.startswith("The force introduced a stalking protection order")
    assert third.comment.startswith("No further action is needed")
    assert [e.answer for e in parsed.entries] == ["proposed", "taken", "none"]
    # The letter's own paragraphs, not its addresses, salutation, sign-off or copies.
    assert parsed.comments.startswith("I welcome this inspection")
    assert parsed.comments.endswith("publish an update on my website in the summer.")
    for not_comment in ("Marsham Street", "Dear Home Secretary", "Yours sincerely", "cc:"):
        assert not_comment not in parsed.comments
    assert "No closing line about recommendations was found." in parsed.warnings


def test_the_letters_recommendations_are_matched_to_the_reports_by_reference_or_text(
    stalking_report,
):
    parsed = parser.parse_text(LETTER)
    findings = list(stalking_report.findings.order_by("position"))
    choices = [parser.FindingChoice(f.pk, f.reference, f.text) for f in findings]
    assert parser.match_findings(parsed.entries, choices) == [f.pk for f in findings[:3]]
    assert [e.finding_id for e in parsed.entries] == [f.pk for f in findings[:3]]


def test_alice_imports_the_letter_with_its_entries(alice_client, stalking_report):
    preview = paste(alice_client, LETTER)
    values = form_values(preview.content)
    findings = list(stalking_report.findings.order_by("position"))
    assert values["report"] == str(stalking_report.pk)
    assert [values[f"entries-{n}-finding"] for n in range(3)] == [str(f.pk) for f in findings[:3]]
    assert values["published_on-day"] == "11"
    saved = confirm(alice_client, preview)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    response = Response.objects.get(report=stalking_report)
    assert response.status == ResponseStatus.PUBLISHED
    assert response.published_on == dt.date(2024, 1, 11)
    assert response.is_complete()
    entries = {e.finding.reference: e for e in response.entries.select_related("finding")}
    assert sorted(entries) == ["Recommendation 1", "Recommendation 2", "Recommendation 3 (PCCs)"]
    assert entries["Recommendation 2"].answer == ResponseEntry.Answer.TAKEN
    assert entries["Recommendation 3 (PCCs)"].answer == ResponseEntry.Answer.NONE
    assert entries["Recommendation 1"].text.startswith("The Constabulary has reviewed")
    edition = response.editions.get()
    assert [e["reference"] for e in edition.content["entries"]] == [
        "Recommendation 1",
        "Recommendation 2",
        "Recommendation 3 (PCCs)",
    ]
    assert stalking_report.findings.count() == 4  # nothing added


def test_an_answer_guessed_wrong_is_corrected_in_the_preview(alice_client, stalking_report):
    preview = paste(alice_client, LETTER)
    confirm(alice_client, preview, **{"entries-0-answer": "taken"})
    entry = ResponseEntry.objects.get(finding__reference="Recommendation 1")
    assert entry.answer == ResponseEntry.Answer.TAKEN


def test_an_answerable_recommendation_left_without_an_entry_stops_the_import(
    alice_client, stalking_report
):
    preview = paste(alice_client, LETTER)
    assert b"Recommendation 2 is addressed to the force or the body" not in preview.content
    before = counts()
    refused = confirm(alice_client, preview, **{"entries-1-finding": "skip"})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "The response cannot be imported as published" in page
    assert "Recommendation 2 still has no entry" in page  # the workflow's own message
    assert "Recommendation 2 is addressed to the force or the body" in page
    assert counts() == before


def test_a_quoted_recommendation_the_report_lacks_is_added_to_it(alice, alice_client):
    report = ReportFactory.create(
        body=alice.body, title=STALKING, published_on=dt.date(2023, 11, 14)
    )
    preview = paste(alice_client, LETTER)
    values = form_values(preview.content)
    assert values["report"] == str(report.pk)
    assert [values[f"entries-{n}-finding"] for n in range(3)] == ["new", "new", "new"]
    assert b"is not among the report&#x27;s recommendations" in preview.content
    assert confirm(alice_client, preview).status_code == 302
    added = list(report.findings.order_by("position").values_list("reference", "kind"))
    assert added == [(f"Recommendation {n}", "recommendation") for n in (1, 2, 3)]
    assert Response.objects.get(report=report).entries.count() == 3


def test_the_report_can_be_added_from_the_preview(alice, alice_client):
    preview = paste(alice_client, LETTER)
    values = form_values(preview.content)
    assert values["report"] == "new"
    assert values["report-title"] == STALKING
    assert (values["report-published_on-month"], values["report-published_on-year"]) == (
        "11",
        "2023",
    )
    refused = confirm(alice_client, preview)  # the day and the type are still to give
    assert refused.status_code == 422
    assert InspectionReport.objects.count() == 0
    saved = confirm(
        alice_client,
        refused,
        **{
            "report-report_type": ReportType.NATIONAL_THEMATIC,
            "report-published_on-day": "14",
            "report-lead_inspectorate": str(inspectorate().pk),
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    report = InspectionReport.objects.get()
    assert (report.body, report.title, report.published_on) == (
        alice.body,
        STALKING,
        dt.date(2023, 11, 14),
    )
    assert report.scope == Scope.NATIONAL
    assert report.findings.count() == 3
    assert Response.objects.get(report=report).status == ResponseStatus.PUBLISHED


def test_a_new_peel_report_names_the_bodys_force(alice, alice_client):
    preview = paste(alice_client, LETTER)
    confirm(
        alice_client,
        preview,
        **{
            "report-report_type": ReportType.PEEL,
            "report-published_on-day": "14",
            "report-lead_inspectorate": str(inspectorate().pk),
        },
    )
    report = InspectionReport.objects.get()
    assert report.scope == Scope.FORCES
    assert list(report.forces.all()) == [alice.body.force]


def test_matching_again_uses_the_report_chosen_and_saves_nothing(
    alice, alice_client, stalking_report
):
    other = ReportFactory.create(body=alice.body, title="Another report")
    preview = paste(alice_client, LETTER)
    before = counts()
    data = form_values(preview.content) | {"action": "rematch", "report": str(other.pk)}
    rematched = alice_client.post(CONFIRM, data)
    assert rematched.status_code == 200
    values = form_values(rematched.content)
    assert values["report"] == str(other.pk)
    assert [values[f"entries-{n}-finding"] for n in range(3)] == ["new", "new", "new"]
    assert values["comments"].startswith("I welcome this inspection")
    back = alice_client.post(CONFIRM, values | {"action": "rematch", "report": ""})
    assert form_values(back.content)["report"] == str(stalking_report.pk)  # by the title
    assert counts() == before


# --- A saved web page ----------------------------------------------------------------------


def test_a_saved_web_page_is_read_without_its_navigation_banner_and_footer():
    parsed = parser.parse_html(PAGE)
    sample = parser.parse_text(SAMPLE)
    assert parsed.title == TERRORISM
    assert parsed.month_year == "July 2023"
    assert parsed.response_from == OFFICE
    assert parsed.comments == sample.comments
    assert (parsed.signatory_name, parsed.signatory_role) == (
        "Donna Jones",
        "Police and Crime Commissioner",
    )
    assert parsed.closing_line == sample.closing_line
    assert parsed.published_on == dt.date(2023, 9, 7)
    assert parsed.published_url.startswith("https://www.hampshire-pcc.example.gov.uk/transparency/")
    assert parsed.warnings == []


def test_a_page_without_a_main_element_loses_its_chrome_too():
    parsed = parser.parse_html(PAGE.replace("<main ", "<div ").replace("</main>", "</div>"))
    text = " ".join([parsed.comments, parsed.closing_line, parsed.signatory_role])
    for chrome in (
        "cookies",
        "Skip to main content",
        "Police and Crime Plan",
        "Share this page",
        "Related documents",
        "Telephone",
        "Breadcrumb",
        "Transparency",
        "gtag",
    ):
        assert chrome not in text
    assert parsed.comments == parser.parse_text(SAMPLE).comments


def test_alice_imports_a_saved_web_page(alice_client, terrorism_report):
    preview = upload(alice_client, "management-of-terrorist-offenders.html", PAGE.encode())
    values = form_values(preview.content)
    assert values["source"] == "management-of-terrorist-offenders.html"
    assert values["published_on-day"] == "7"
    assert "cookie" not in values["comments"].lower()
    assert confirm(alice_client, preview).status_code == 302
    response = Response.objects.get(report=terrorism_report)
    assert response.published_url.endswith("management-of-terrorist-offenders-july-2023")
    event = AuditEvent.objects.get(kind=AuditKind.IMPORTED)
    assert "management-of-terrorist-offenders.html" in event.detail


def test_a_windows_1252_page_is_read(alice_client, terrorism_report):
    page = PAGE.replace("charset=UTF-8", "charset=windows-1252").replace("©", "£")
    preview = upload(alice_client, "response.htm", page.encode("cp1252"))
    assert preview.status_code == 200
    assert form_values(preview.content)["signatory_name"] == "Donna Jones"


# --- A Word document -----------------------------------------------------------------------


def letter_docx() -> bytes:
    """A Word letter as offices write them: a heading, the comments, a table of the
    recommendations with the response to each, and the signature."""
    document = docx.Document()
    document.core_properties.title = STALKING
    document.add_heading(f"{STALKING} (November 2023)", level=1)
    document.add_paragraph(f"Response from: {OFFICE}")
    document.add_paragraph("Published 12 January 2024")
    document.add_paragraph("I welcome this inspection of the police response to stalking.")
    document.add_paragraph("Our response to each recommendation for chief constables and PCCs:")
    findings = parser.parse_text(LETTER).entries
    table = document.add_table(rows=1, cols=3)
    for cell, label in zip(
        table.rows[0].cells, ("No.", "Recommendation", "Our response"), strict=True
    ):
        cell.text = label
    for number, entry in enumerate(findings, start=1):
        row = table.add_row().cells
        row[0].text = str(number)
        row[1].text = entry.recommendation
        row[2].text = entry.comment
    document.add_paragraph("Yours sincerely,")
    signature = document.add_paragraph("Donna Jones")
    signature.add_run().add_break()
    signature.add_run("Police and Crime Commissioner")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_is_read_paragraphs_and_tables():
    parsed = parser.parse_docx(letter_docx())
    assert parsed.title == STALKING
    assert parsed.month_year == "November 2023"
    assert parsed.response_from == OFFICE
    assert parsed.published_on == dt.date(2024, 1, 12)
    assert parsed.comments.startswith("I welcome this inspection")
    assert [e.reference for e in parsed.entries] == [f"Recommendation {n}" for n in (1, 2, 3)]
    assert parsed.entries[0].comment.startswith("The Constabulary has reviewed")
    assert parsed.entries[1].recommendation.startswith("By 30 June 2024")
    assert (parsed.signatory_name, parsed.signatory_role) == (
        "Donna Jones",
        "Police and Crime Commissioner",
    )


def test_alice_imports_a_word_document(alice_client, stalking_report):
    preview = upload(alice_client, "stalking-response.docx", letter_docx())
    assert preview.status_code == 200, preview.content.decode()[:2000]
    assert confirm(alice_client, preview).status_code == 302
    response = Response.objects.get(report=stalking_report)
    assert response.entries.count() == 3
    assert response.published_on == dt.date(2024, 1, 12)


# --- Bad input: a clear message, the user's text kept, nothing saved ----------------------


def zipped(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("response.docx", b"", "The file response.docx is empty."),
        ("response.pdf", b"%PDF-1.7 ...", "response.pdf is not a file this import reads."),
        ("notes.docx", zipped({"notes.txt": b"hello"}), "notes.docx is a ZIP archive, not a Word"),
        ("broken.docx", b"PK\x03\x04 not really", "broken.docx is not a real Word (.docx) file"),
        (
            "locked.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "locked.docx is password-protected",
        ),
        ("odd.txt", "Recommendation 1 – ünïcode".encode("utf-16-le"), "not in an encoding"),
        (
            "shopping.txt",
            b"Milk\nBread\nEggs\nTea bags\n",
            "This does not look like a published response",
        ),
        ("empty-page.html", b"<html><body><nav>Home</nav></body></html>", "no text in it"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_saved(
    alice_client, terrorism_report, name, content, message
):
    before = counts()
    refused = upload(alice_client, name, content)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert message in page
    assert 'href="#source-file"' in page  # the error summary leads to the file input
    assert counts() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste the text of the response, or choose a file."),
        ("   \n\n  ", "Paste the text of the response, or choose a file."),
        (
            "Action ID,Title,Owner\n12,Review custody,alice\n13,Audit stop and search,fred\n14,x,y",
            "This does not look like a published response",
        ),
        (
            "Recommendation 1\n\nBy March 2024, chief constables should review custody.\n\n"
            "Recommendation 2\n\nBy June 2024, chief constables should audit stop and search.",
            "This looks like a report&#x27;s recommendations, not a response to them",
        ),
    ],
)
def test_pasted_text_that_is_not_a_response_is_refused_and_kept(
    alice_client, terrorism_report, text, message
):
    before = counts()
    refused = paste(alice_client, text)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert message in page
    textarea = BeautifulSoup(refused.content, "html.parser").find("textarea", {"name": "text"})
    assert textarea is not None
    assert textarea.get_text().removeprefix("\n") == text  # exactly as pasted
    assert counts() == before


def test_text_and_a_file_together_are_refused(alice_client):
    refused = alice_client.post(
        START, {"text": SAMPLE, "file": SimpleUploadedFile("r.txt", SAMPLE.encode())}
    )
    assert refused.status_code == 422
    assert b"Paste the text or upload a file, not both." in refused.content


# --- Who may import ------------------------------------------------------------------------


def test_the_start_page_offers_paste_and_upload(alice_client):
    page = alice_client.get(START)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert b'name="text"' in page.content
    assert b'name="file"' in page.content


def test_the_import_can_start_from_a_report_which_is_then_chosen(alice_client, alice):
    report = ReportFactory.create(body=alice.body, title="A report with another title")
    page = alice_client.get(f"{START}?report={report.pk}")
    assert f'value="{report.pk}"'.encode() in page.content
    preview = paste(alice_client, SAMPLE, report=str(report.pk))
    assert form_values(preview.content)["report"] == str(report.pk)


def test_another_bodys_report_is_a_404_everywhere(alice_client, olly, terrorism_report):
    theirs = ReportFactory.create(body=olly.body, title=TERRORISM)
    assert alice_client.get(f"{START}?report={theirs.pk}").status_code == 404
    assert paste(alice_client, SAMPLE, report=str(theirs.pk)).status_code == 404
    preview = paste(alice_client, SAMPLE)
    before = counts()
    data = form_values(preview.content) | published_on(dt.date(2023, 9, 7))
    assert alice_client.post(CONFIRM, data | {"report": str(theirs.pk)}).status_code == 404
    rematch = data | {"report": str(theirs.pk), "action": "rematch"}
    assert alice_client.post(CONFIRM, rematch).status_code == 404
    assert counts() == before


def test_another_bodys_editor_does_not_find_alices_report(olly_client, terrorism_report):
    preview = paste(olly_client, SAMPLE)
    assert form_values(preview.content)["report"] == "new"  # not alice's report
    # And is told that the response is not from their office.
    assert b"The response does not say it is from your office" in preview.content


def test_the_response_from_line_is_checked_against_the_bodys_office(alice_client):
    preview = paste(alice_client, SAMPLE)
    assert b"The response does not say it is from your office" not in preview.content
    assert parser.same_office("Office of the Police and Crime Commissioner for Hampshire", OFFICE)
    assert not parser.same_office(
        "Office of the Police and Crime Commissioner for Thames Valley", OFFICE
    )


def test_choosing_another_report_without_matching_again_asks_to_choose_again(
    alice, alice_client, stalking_report
):
    other = ReportFactory.create(body=alice.body, title="Another report")
    preview = paste(alice_client, LETTER)
    before = counts()
    refused = confirm(alice_client, preview, report=str(other.pk))
    assert refused.status_code == 422
    assert "Choose again: the report chosen has changed." in refused.content.decode()
    assert counts() == before


@pytest.mark.parametrize("who", ["ana_client", "cora_client"])
def test_analysts_and_force_contributors_cannot_import(request, who, terrorism_report):
    client = request.getfixturevalue(who)
    refused = 403 if who == "ana_client" else 404
    before = counts()
    assert client.get(START).status_code == refused
    assert paste(client, SAMPLE).status_code == refused
    assert client.post(CONFIRM, {"report": str(terrorism_report.pk)}).status_code == refused
    assert counts() == before


def test_the_wrong_method_is_refused(alice_client):
    assert alice_client.get(CONFIRM).status_code == 405
    assert alice_client.put(START).status_code == 405


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get(START).status_code == 302


def test_the_preview_reads_a_fixed_number_of_queries_however_large_the_body(
    alice, alice_client, stalking_report
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert paste(alice_client, LETTER).status_code == 200
        return len(captured)

    small = queries()
    for n in range(30):
        ReportFactory.create(body=alice.body, title=f"Another inspection {n}")
    for _ in range(40):
        FindingFactory.create(report=stalking_report, addressed_to=[addressee()])
    assert queries() == small
