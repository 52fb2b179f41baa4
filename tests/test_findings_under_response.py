"""Findings under a response (issue 10, found 1): a finding added, changed or removed
under a response sent for approval, or approved, asks why and takes the response back to
draft; under a published one it changes freely and what was published stays as it was.
A recommendation added after publication no longer leaves the response unmendable: an
approver writes its entry and publishes a correction."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from inspections.models import Finding, Response, ResponseEdition, ResponseEntry, ResponseStatus

from .conftest import signed_in
from .factories import EntryFactory, FindingFactory, ResponseFactory, addressee

pytestmark = pytest.mark.django_db

S = ResponseStatus
HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
REASON_FIELD = 'name="change_reason"'


@pytest.fixture
def response(alice, pat) -> Response:
    """A complete response with one answered recommendation, approved by Pat."""
    response = ResponseFactory.create(
        report__body=alice.body,
        report__published_on=TODAY - dt.timedelta(days=40),
        chief_invited_on=TODAY - dt.timedelta(days=39),
        comments="We welcome the report.",
    )
    finding = FindingFactory.create(
        report=response.report,
        reference="Recommendation 1",
        text="Observe detainees at the level their risk assessment sets.",
        addressed_to=[addressee()],
    )
    EntryFactory.create(response=response, finding=finding, text="Observation audited.")
    return response


def at(response: Response, status: str, pat=None) -> Response:
    fields: dict[str, object] = {"status": status}
    if status == S.APPROVED and pat is not None:
        fields |= {"approved_by": pat.user, "approved_at": timezone.now()}
    Response.objects.filter(pk=response.pk).update(**fields)
    response.refresh_from_db()
    return response


def step(client, response: Response, name: str, **data: str):
    version = Response.objects.get(pk=response.pk).version
    return client.post(f"/responses/{response.pk}/workflow/{name}/", {"version": version, **data})


def the_finding(response: Response) -> Finding:
    return Finding.objects.get(report=response.report, reference="Recommendation 1")


def edit_data(finding: Finding, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": finding.kind,
        "reference": finding.reference,
        "text": finding.text,
        "addressees": [a.pk for a in finding.addressees.all()],
        "inspectorate_status": finding.inspectorate_status,
        "version": str(finding.version),
    }
    return data | changes


def new_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "recommendation",
        "reference": "Recommendation 2",
        "text": "Review the custody staffing model.",
        "addressees": [addressee().pk],
        "inspectorate_status": "awaiting_review",
    }
    return data | changes


@pytest.mark.parametrize("status", [S.READY_FOR_APPROVAL, S.APPROVED])
class TestUnderAResponseSentForApproval:
    def test_changing_a_finding_asks_why_and_returns_the_response_to_draft(
        self, status, alice_client, pat, response
    ):
        response = at(response, status, pat)
        finding = the_finding(response)
        url = f"/findings/{finding.pk}/edit/"
        assert REASON_FIELD in alice_client.get(url).text
        data = edit_data(finding, inspectorate_status="being_progressed")
        refused = alice_client.post(url, data)
        assert refused.status_code == 422
        assert "Why are you changing this finding?" in refused.text
        assert Response.objects.get(pk=response.pk).status == status

        saved = alice_client.post(url, data | {"change_reason": "The inspectorate moved it on."})
        assert saved.status_code == 302
        response.refresh_from_db()
        assert (response.status, response.approved_by, response.approved_at) == (
            S.DRAFT, None, None,
        )  # fmt: skip
        assert response.version == 2
        assert response.history.first().history_change_reason == (
            "Returned to draft: Recommendation 1 was changed. Why: The inspectorate moved it on."
        )
        assert the_finding(response).inspectorate_status == "being_progressed"

    def test_adding_a_finding_asks_why_and_returns_the_response_to_draft(
        self, status, alice_client, pat, response
    ):
        response = at(response, status, pat)
        url = f"/reports/{response.report_id}/findings/new/"
        assert REASON_FIELD in alice_client.get(f"/reports/{response.report_id}/").text
        refused = alice_client.post(url, new_data(), headers=HTMX)
        assert refused.status_code == 422
        assert "Why are you adding a finding?" in refused.text
        assert not Finding.objects.filter(reference="Recommendation 2").exists()

        data = new_data(change_reason="The report was corrected.")
        assert alice_client.post(url, data, headers=HTMX).status_code == 200
        response.refresh_from_db()
        assert (response.status, response.version) == (S.DRAFT, 2)
        assert "Recommendation 2 was added to the report" in (
            response.history.first().history_change_reason
        )

    def test_removing_a_finding_asks_why_and_returns_the_response_to_draft(
        self, status, alice_client, pat, response
    ):
        response = at(response, status, pat)
        finding = the_finding(response)
        url = f"/findings/{finding.pk}/delete/"
        assert REASON_FIELD in alice_client.get(url, headers=HTMX).text
        refused = alice_client.post(url, headers=HTMX)
        assert refused.status_code == 422
        assert refused["HX-Retarget"] == f"#finding-{finding.pk}"
        assert "Why are you removing this finding?" in refused.text
        assert Finding.objects.filter(pk=finding.pk).exists()

        removed = alice_client.post(url, {"change_reason": "Entered twice."}, headers=HTMX)
        assert removed.status_code == 200
        assert not Finding.objects.filter(pk=finding.pk).exists()
        response.refresh_from_db()
        assert (response.status, response.version) == (S.DRAFT, 2)
        assert response.history.first().history_change_reason == (
            "Returned to draft: Recommendation 1 was removed from the report. Why: Entered twice."
        )

    def test_a_response_sent_for_approval_after_the_form_opened_still_asks_why(
        self, status, alice_client, pat, response
    ):
        finding = the_finding(response)
        url = f"/findings/{finding.pk}/edit/"
        form = alice_client.get(url)  # a draft: no reason asked
        assert REASON_FIELD not in form.text
        at(response, status, pat)
        refused = alice_client.post(url, edit_data(finding, text="Reworded."))
        assert refused.status_code == 422
        assert REASON_FIELD in refused.text
        assert the_finding(response).text != "Reworded."
        assert Response.objects.get(pk=response.pk).status == status


@pytest.mark.parametrize("status", [S.DRAFT, S.COMMENTS_REQUESTED, S.COMMENTS_RECEIVED])
def test_before_it_is_sent_for_approval_findings_change_without_a_reason(
    status, alice_client, response
):
    response = at(response, status)
    finding = the_finding(response)
    url = f"/findings/{finding.pk}/edit/"
    assert REASON_FIELD not in alice_client.get(url).text
    assert alice_client.post(url, edit_data(finding, text="Reworded.")).status_code == 302
    response.refresh_from_db()
    assert (response.status, response.version) == (status, 1)


def published(alice, pat, response: Response) -> Response:
    response = at(response, S.READY_FOR_APPROVAL)
    assert step(signed_in(pat), response, "approve").status_code == 302
    data = {"published_on": TODAY.isoformat(), "published_url": "https://example.org/r"}
    assert step(signed_in(alice), response, "publish", **data).status_code == 302
    response.refresh_from_db()
    return response


def main(page) -> str:
    """The page's content, without what changes on every request (nonce, CSRF token)."""
    text: str = page.content.decode()
    return text[text.index('<main class="govuk-main-wrapper"') : text.index("</main>")]


def streamed(http_response) -> bytes:
    return b"".join(http_response.streaming_content)


def test_under_a_published_response_a_finding_changes_freely_and_nothing_published_moves(
    client, alice, alice_client, pat, response
):
    response = published(alice, pat, response)
    slug = response.body.slug
    page = f"/public/{slug}/responses/{response.pk}/"
    pdf, feed = f"{page}response.pdf", f"/public/{slug}/feed/"
    before = (main(client.get(page)), client.get(feed).content, streamed(client.get(pdf)))
    assert "Observe detainees" in before[0]

    finding = the_finding(response)
    url = f"/findings/{finding.pk}/edit/"
    assert REASON_FIELD not in alice_client.get(url).text
    data = edit_data(finding, text="Reworded by the inspectorate.", inspectorate_status="complete")
    assert alice_client.post(url, data).status_code == 302

    after = (main(client.get(page)), client.get(feed).content, streamed(client.get(pdf)))
    assert after == before
    assert hashlib.sha256(after[2]).hexdigest() == ResponseEdition.objects.get().pdf_sha256
    response.refresh_from_db()
    assert (response.status, ResponseEdition.objects.count()) == (S.PUBLISHED, 1)
    inside = alice_client.get(f"/responses/{response.pk}/").text
    assert 'id="live-differs"' in inside
    assert "Reworded by the inspectorate." in inside


def test_a_recommendation_added_after_publication_can_be_answered_by_an_approver(
    client, alice, alice_client, pat, response
):
    """Before, the new recommendation made the response incomplete and every save was
    refused (409): it could never be mended."""
    response = published(alice, pat, response)
    added = alice_client.post(f"/reports/{response.report_id}/findings/new/", new_data())
    assert added.status_code == 302
    rec = Finding.objects.get(reference="Recommendation 2")
    url = f"/responses/{response.pk}/entries/{rec.pk}/"
    entry = {"answer": "proposed", "text": "A staffing review by March."}

    refused = alice_client.post(url, entry)  # an editor: still locked
    assert refused.status_code == 409
    assert "can no longer be changed" in refused.text
    assert "An approver can correct a published response." in refused.text

    approver = signed_in(pat)
    assert approver.post(url, entry).status_code == 302
    edit = {"version": str(Response.objects.get(pk=response.pk).version), "marking": "official"}
    comments = edit | {"comments": "We welcome the report and its new recommendation."}
    assert approver.post(f"/responses/{response.pk}/edit/", comments).status_code == 302
    response.refresh_from_db()
    assert response.status == S.PUBLISHED
    assert ResponseEntry.objects.get(finding=rec).text == "A staffing review by March."
    # Nothing public changes until the approver publishes the correction.
    public = f"/public/{response.body.slug}/responses/{response.pk}/"
    assert "A staffing review by March." not in client.get(public).text
    assert 'id="live-differs"' in approver.get(f"/responses/{response.pk}/").text

    reason = "Recommendation 2, added to the report after publication, is answered."
    corrected = step(
        approver,
        response,
        "correct",
        reason=reason,
        published_on=TODAY.isoformat(),
        published_url="https://example.org/r",
    )
    assert corrected.status_code == 302
    assert ResponseEdition.objects.filter(response=response).count() == 2
    assert "A staffing review by March." in client.get(public).text
