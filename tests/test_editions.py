"""Published means frozen: what a response published is an edition, and only an approver's
correction, with its reason, makes a new one (issue 10, found items 1 and 2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from inspections.models import Finding, Response, ResponseEdition, ResponseStatus

from .conftest import signed_in
from .factories import EntryFactory, FindingFactory, ResponseFactory, addressee

pytestmark = pytest.mark.django_db

S = ResponseStatus
TODAY = timezone.localdate()
ATOM = "{http://www.w3.org/2005/Atom}"


def step(client, response: Response, name: str, **data: str):
    version = Response.objects.get(pk=response.pk).version
    return client.post(f"/responses/{response.pk}/workflow/{name}/", {"version": version, **data})


def streamed(http_response) -> bytes:
    return b"".join(http_response.streaming_content)


@pytest.fixture
def approved(alice, pat) -> Response:
    """Approved today, ready to publish: one recommendation, answered."""
    response = ResponseFactory.create(
        report__body=alice.body,
        report__title="An inspection of custody",
        report__published_on=TODAY - dt.timedelta(days=40),
        chief_invited_on=TODAY - dt.timedelta(days=39),
        chief_comments="The Chief Constable accepts every finding.",
        chief_comments_received_on=TODAY - dt.timedelta(days=20),
        comments="We welcome the report.",
        status=S.READY_FOR_APPROVAL,
    )
    finding = FindingFactory.create(
        report=response.report,
        reference="Recommendation 1",
        text="Observe detainees at the level their risk assessment sets.",
        addressed_to=[addressee()],
    )
    EntryFactory.create(response=response, finding=finding, text="Observation audited.")
    assert step(signed_in(pat), response, "approve").status_code == 302
    return response


def publish(alice, response: Response, on: dt.date = TODAY):
    return step(
        signed_in(alice),
        response,
        "publish",
        published_on=on.isoformat(),
        published_url="https://example.org/custody",
    )


def public_urls(response: Response) -> tuple[str, str, str]:
    slug = response.body.slug
    base = f"/public/{slug}/responses/{response.pk}/"
    return base, f"{base}response.pdf", f"/public/{slug}/feed/"


def test_publishing_freezes_the_text_the_pdf_and_its_hash(client, alice, approved):
    assert publish(alice, approved).status_code == 302
    edition = ResponseEdition.objects.get(response=approved)
    assert edition.number == 1
    assert edition.content["entries"][0]["recommendation"].startswith("Observe detainees")
    assert edition.content["chief_comments"] == "The Chief Constable accepts every finding."
    _page, pdf, _feed = public_urls(approved)
    downloaded = streamed(client.get(pdf))
    assert hashlib.sha256(downloaded).hexdigest() == edition.pdf_sha256
    # The workspace's PDF of a published response is the same stored file.
    assert streamed(signed_in(alice).get(f"/responses/{approved.pk}/pdf/")) == downloaded


def test_editing_the_reports_findings_changes_nothing_that_was_published(client, alice, approved):
    """Found 1: editing, adding or removing a finding changed the public page, the feed
    and the PDF at once."""
    assert publish(alice, approved).status_code == 302
    page, pdf, feed = public_urls(approved)
    before = (client.get(page).text, client.get(feed).content, streamed(client.get(pdf)))

    finding = Finding.objects.get(report=approved.report, reference="Recommendation 1")
    Finding.objects.filter(pk=finding.pk).update(text="Reworded by the inspectorate.")
    FindingFactory.create(
        report=approved.report, reference="Recommendation 2", addressed_to=[addressee()]
    )

    after = (client.get(page).text, client.get(feed).content, streamed(client.get(pdf)))
    assert after[0].count("Observe detainees") == 1
    assert "Reworded by the inspectorate." not in after[0]
    assert "Recommendation 2" not in after[0]
    assert ET.fromstring(after[1]).findtext(f"{ATOM}entry/{ATOM}title") == ET.fromstring(
        before[1]
    ).findtext(f"{ATOM}entry/{ATOM}title")
    assert after[2] == before[2]
    assert hashlib.sha256(after[2]).hexdigest() == ResponseEdition.objects.get().pdf_sha256
    # Inside, the response page says its live text has moved on from the edition.
    assert 'id="live-differs"' in signed_in(alice).get(f"/responses/{approved.pk}/").text


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "cannot be in the future"),
        (-41, "cannot be published before the report itself"),
        (-1, "cannot be published before it was approved"),
    ],
)
def test_a_publication_date_that_cannot_be_true_is_refused(alice, approved, days, message):
    """Found 2: a response approved today could be recorded as published weeks ago, before
    the report itself, and then counted as published on time."""
    result = publish(alice, approved, TODAY + dt.timedelta(days=days))
    assert result.status_code in {409, 422}
    assert message in result.text
    approved.refresh_from_db()
    assert approved.status == S.APPROVED
    assert approved.published_on is None
    assert not ResponseEdition.objects.exists()


def test_the_publish_step_offers_todays_date(alice, approved):
    page = signed_in(alice).get(f"/responses/{approved.pk}/workflow/publish/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["published_on"] == TODAY


def test_an_approver_corrects_a_published_response_with_a_reason(client, alice, pat, approved):
    """Found 2: nothing let an approver correct a published record afterwards."""
    assert publish(alice, approved).status_code == 302
    reason = "The address of the web page was wrong."
    assert (
        step(
            signed_in(alice),
            approved,
            "correct",
            reason=reason,
            published_on=TODAY.isoformat(),
            published_url="https://example.org/custody-2",
        ).status_code
        == 403
    )
    result = step(
        signed_in(pat),
        approved,
        "correct",
        reason=reason,
        published_on=TODAY.isoformat(),
        published_url="https://example.org/custody-2",
    )
    assert result.status_code == 302
    first, second = ResponseEdition.objects.filter(response=approved).order_by("number")
    assert (second.number, second.correction_reason) == (2, reason)
    assert second.published_url == "https://example.org/custody-2"
    assert first.pdf_sha256 != second.pdf_sha256
    page, pdf, _feed = public_urls(approved)
    text = client.get(page).text
    assert f"Corrected on {TODAY:%-d %B %Y}: {reason}" in text
    assert hashlib.sha256(streamed(client.get(pdf))).hexdigest() == second.pdf_sha256
    # Every edition stays downloadable to the body, and the response page lists them.
    inside = signed_in(alice)
    for edition in (first, second):
        got = streamed(inside.get(f"/responses/{approved.pk}/editions/{edition.number}.pdf"))
        assert hashlib.sha256(got).hexdigest() == edition.pdf_sha256
    for page_url in (f"/responses/{approved.pk}/", f"/responses/{approved.pk}/history/"):
        listed = inside.get(page_url).text
        assert 'id="editions"' in listed
        assert reason in listed
        assert f"/responses/{approved.pk}/editions/2.pdf" in listed
    approved.refresh_from_db()
    assert approved.status == S.PUBLISHED


def test_an_edition_can_never_be_changed_or_deleted(alice, approved):
    assert publish(alice, approved).status_code == 302
    edition = ResponseEdition.objects.get()
    edition.correction_reason = "Tampered"
    with pytest.raises(ValueError, match="kept as it was published"):
        edition.save()
    with pytest.raises(ValueError, match="kept as it was published"):
        edition.delete()


def test_the_public_index_lists_the_bodies_that_have_published(client, alice, approved):
    assert "No responses have been published yet." in client.get("/public/").text
    assert publish(alice, approved).status_code == 302
    index = client.get("/public/").text
    assert f'href="/public/{approved.body.slug}/"' in index
    assert f'href="/public/{approved.body.slug}/feed/"' in index
    assert 'href="/public/"' in client.get("/sign-in/").text
