"""A response downloads as a Word document too (issue 12), with what the response PDF
prints: a published response its published edition, a draft its rows as they stand."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections.imports import responses as parser
from inspections.models import AuditEvent, AuditKind, Marking, Response, ResponseStatus

from .factories import EntryFactory, FindingFactory, ResponseFactory, addressee, publish

pytestmark = pytest.mark.django_db

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OFFICE = "Office of the Police and Crime Commissioner, Hampshire and Isle of Wight"
TITLE = "An inspection of how well the police respond to stalking and harassment"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def response(alice) -> Response:
    """A draft with the chief officer's comments and two recommendations, one answered."""
    response = ResponseFactory.create(
        report__body=alice.body,
        report__title=TITLE,
        report__published_on=dt.date(2023, 11, 14),
        comments="We welcome the report.\n\nStalking escalates;\nvictims must be believed.",
        chief_comments="The Chief Constable accepts every recommendation.",
        chief_comments_reply="We will check that he does.",
        signatory_name="Donna Jones",
        signatory_role="Police and Crime Commissioner",
        closing_line="Two recommendations were made for chief constables.",
    )
    answered = FindingFactory.create(
        report=response.report,
        reference="Recommendation 1",
        text="Record every report of stalking as a crime.",
        addressed_to=[addressee()],
    )
    FindingFactory.create(
        report=response.report,
        reference="Recommendation 2",
        text="Consider a stalking protection order in every case.",
        addressed_to=[addressee()],
    )
    EntryFactory.create(
        response=response, finding=answered, text="The force changed its scripts in May."
    )
    return response


def download(client, response: Response):
    return client.get(f"/responses/{response.pk}/docx/")


def read(http) -> docx.document.Document:
    return docx.Document(io.BytesIO(http.content))


def paragraphs(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.text]


def test_a_draft_downloads_as_word_with_what_the_pdf_prints(alice_client, response):
    http = download(alice_client, response)
    assert http.status_code == 200
    assert http["Content-Type"] == WORD
    assert http["Content-Disposition"] == (
        f'attachment; filename="response-{TITLE.lower().replace(" ", "-")}-2023-11.docx"'
    )
    assert http["Cache-Control"] == "private, no-store"
    document = read(http)
    assert paragraphs(document) == [
        ("Heading 1", f"{TITLE} (November 2023)"),
        ("Normal", f"Response from: {OFFICE}"),
        ("Normal", "Not yet published. Status: Draft."),
        ("Normal", "We welcome the report."),
        ("Normal", "Stalking escalates;\nvictims must be believed."),
        ("Heading 2", "The recommendations and the response to each"),
        ("Heading 3", "Recommendation 1"),
        ("Quote", "Record every report of stalking as a crime."),
        ("Normal", "Action proposed"),
        ("Normal", "The force changed its scripts in May."),
        ("Heading 3", "Recommendation 2"),
        ("Quote", "Consider a stalking protection order in every case."),
        ("Normal", "No entry yet"),
        ("Normal", "Donna Jones\nPolice and Crime Commissioner"),
        ("Normal", "Two recommendations were made for chief constables."),
        ("Heading 2", "The chief officer's comments"),
        ("Normal", "The Chief Constable accepts every recommendation."),
        ("Heading 2", "Our response to the chief officer's comments"),
        ("Normal", "We will check that he does."),
    ]
    assert document.paragraphs[8].runs[0].bold  # the answer's label
    properties = document.core_properties
    assert properties.title == f"{TITLE} (November 2023)"
    assert properties.author.startswith("Office of the Police and Crime Commissioner")
    assert properties.keywords == properties.category == "OFFICIAL"
    assert properties.language == "en-GB"
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL"
    assert section.footer.paragraphs[0].text == "OFFICIAL"
    assert section.footer.paragraphs[1].text.startswith("Produced ")
    assert 'w:instr="PAGE"' in section.footer._element.xml
    assert 'w:instr="NUMPAGES"' in section.footer._element.xml


def test_a_published_response_prints_its_published_edition(alice_client, response):
    Response.objects.filter(pk=response.pk).update(
        status=ResponseStatus.PUBLISHED, published_on=dt.date(2024, 1, 5)
    )
    response.refresh_from_db()
    publish(response)
    # The inspectorate rewords a finding afterwards; what was published does not change.
    response.report.findings.filter(reference="Recommendation 1").update(text="Reworded.")
    Response.objects.filter(pk=response.pk).update(comments="Changed since.")
    text = [t for _style, t in paragraphs(read(download(alice_client, response)))]
    assert "Published 5 January 2024" in text
    assert "We welcome the report." in text
    assert "Changed since." not in text
    assert "Record every report of stalking as a crime." in text
    assert "Reworded." not in text


def test_a_sensitive_response_is_marked_in_its_name_header_footer_and_properties(
    alice_client, response
):
    response.report.marking = Marking.OFFICIAL_SENSITIVE
    response.report.save()
    http = download(alice_client, response)
    assert 'filename="OFFICIAL-SENSITIVE-response-' in http["Content-Disposition"]
    document = read(http)
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert section.footer.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert document.core_properties.keywords == "OFFICIAL-SENSITIVE"


def test_control_characters_in_the_text_do_not_break_the_document(alice_client, response):
    Response.objects.filter(pk=response.pk).update(comments="A form feed\x0c and a bell\x07.")
    text = [t for _style, t in paragraphs(read(download(alice_client, response)))]
    assert "A form feed and a bell." in text


def test_the_download_is_logged(alice, alice_client, response):
    download(alice_client, response)
    event = AuditEvent.objects.get(kind=AuditKind.EXPORTED)
    assert event.user == alice.user
    assert event.detail == f"Response Word document: {TITLE}"


def test_analysts_may_download_it(ana_client, response):
    assert download(ana_client, response).status_code == 200


def test_force_contributors_and_other_bodies_get_a_404(cora_client, olly_client, response):
    assert download(cora_client, response).status_code == 404
    assert download(olly_client, response).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORTED).exists()


def test_the_wrong_method_is_refused(alice_client, response):
    assert alice_client.post(f"/responses/{response.pk}/docx/").status_code == 405


def test_the_response_page_links_to_the_word_download(alice_client, response):
    page = alice_client.get(f"/responses/{response.pk}/")
    assert f'href="/responses/{response.pk}/docx/"'.encode() in page.content
    assert b"Download as Word" in page.content


def test_the_word_download_imports_back_to_the_same_fields(alice_client, response):
    """Round trip: an office that finishes its letter in Word can import the result."""
    word = download(alice_client, response).content
    parsed = parser.parse_docx(word)
    assert parsed.title == TITLE
    assert parsed.month_year == "November 2023"
    assert parsed.response_from.startswith("Office of the Police and Crime Commissioner")
    assert parsed.comments == response.comments
    assert parsed.chief_comments == response.chief_comments
    assert parsed.chief_comments_reply == response.chief_comments_reply
    assert (parsed.signatory_name, parsed.signatory_role) == (
        "Donna Jones",
        "Police and Crime Commissioner",
    )
    assert parsed.closing_line == response.closing_line
    first, second = parsed.entries
    assert (first.reference, first.recommendation) == (
        "Recommendation 1",
        "Record every report of stalking as a crime.",
    )
    assert (first.answer, first.comment) == ("proposed", "The force changed its scripts in May.")
    assert (second.reference, second.comment) == ("Recommendation 2", "")
    # Imported into the same report (its draft gone), the entries find their findings.
    report = response.report
    response.delete()
    preview = alice_client.post(
        "/imports/response/", {"file": SimpleUploadedFile("finished.docx", word)}
    )
    assert preview.status_code == 200
    page = preview.content.decode()
    assert f'<option value="{report.pk}" selected>' in page
    first_finding = report.findings.get(reference="Recommendation 1")
    assert f'<option value="{first_finding.pk}" selected>' in page
