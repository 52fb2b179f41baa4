"""The s55 workflow: every allowed and forbidden transition, by role, checked on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections.models import Response, ResponseEntry, ResponseStatus
from inspections.services.workflow import TRANSITIONS

from .conftest import signed_in
from .factories import EntryFactory, FindingFactory, ResponseFactory, addressee

pytestmark = pytest.mark.django_db

S = ResponseStatus
TODAY = timezone.localdate()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()

# What each step needs posted, beyond the version.
DATA: dict[str, dict[str, str]] = {
    "request-comments": {"chief_invited_on": YESTERDAY, "chief_reply_by": TODAY.isoformat()},
    "record-comments": {
        "chief_comments_received_on": YESTERDAY,
        "chief_comments": "The Chief Constable accepts the findings.",
    },
    "submit": {},
    "approve": {},
    "publish": {"published_on": TODAY.isoformat(), "published_url": "https://example.org/r"},
    "record-copies": {
        "copy_to_inspectorate_on": TODAY.isoformat(),
        "copy_to_home_secretary_on": TODAY.isoformat(),
    },
    "return-to-draft": {"reason": "The chief's comments changed."},
    "no-response": {"no_response_reason": "The force is not a subject of this report."},
    "reopen": {"reason": "A force report now refers to it."},
    "correct": {
        "reason": "The date of the chief constable's letter was wrong.",
        "published_on": TODAY.isoformat(),
        "published_url": "https://example.org/r",
    },
}


@pytest.fixture
def complete(alice):
    """A response whose only answerable recommendation has an entry."""
    response = ResponseFactory.create(
        report__body=alice.body,
        report__published_on=TODAY - dt.timedelta(days=30),
        chief_invited_on=TODAY - dt.timedelta(days=29),
    )
    finding = FindingFactory.create(
        report=response.report, reference="Recommendation 1", addressed_to=[addressee()]
    )
    EntryFactory.create(response=response, finding=finding)
    return response


def post(client, response: Response, name: str, **extra: str):
    data = DATA[name] | {"version": str(Response.objects.get(pk=response.pk).version)} | extra
    return client.post(f"/responses/{response.pk}/workflow/{name}/", data)


def at(response: Response, status: str) -> Response:
    Response.objects.filter(pk=response.pk).update(status=status, published_on=TODAY)
    response.refresh_from_db()
    return response


ALLOWED = [(name, source) for name, t in TRANSITIONS.items() for source in t.sources]
FORBIDDEN = [
    (name, source) for name, t in TRANSITIONS.items() for source in S if source not in t.sources
]


@pytest.mark.parametrize(("name", "source"), ALLOWED)
def test_every_allowed_transition_moves_the_response_for_a_permitted_role(
    name, source, complete, alice, pat
):
    transition = TRANSITIONS[name]
    actor = pat if transition.approver_only else alice
    response = at(complete, source)
    result = post(signed_in(actor), response, name)
    assert result.status_code == 302, result.text[-2000:]
    response.refresh_from_db()
    assert response.status == (transition.target or source)
    assert response.version == 2


@pytest.mark.parametrize(("name", "source"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_with_a_message_and_changes_nothing(
    name, source, complete, pat
):
    response = at(complete, source)
    result = post(signed_in(pat), response, name)
    assert result.status_code == 409
    assert "You cannot" in result.text
    response.refresh_from_db()
    assert (response.status, response.version) == (source, 1)


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t.approver_only])
def test_an_editor_cannot_make_an_approvers_decision(name, complete, alice):
    response = at(complete, sorted(TRANSITIONS[name].sources)[0])
    assert post(signed_in(alice), response, name).status_code == 403
    assert Response.objects.get(pk=response.pk).status == response.status


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_an_analyst_can_make_no_transition(name, complete, ana):
    response = at(complete, sorted(TRANSITIONS[name].sources)[0])
    assert post(signed_in(ana), response, name).status_code == 403
    assert Response.objects.get(pk=response.pk).version == 1


def test_another_bodys_response_is_not_found(complete, olly):
    client = signed_in(olly)
    assert client.get(f"/responses/{complete.pk}/workflow/submit/").status_code == 404
    assert post(client, complete, "submit").status_code == 404


def test_an_unknown_step_is_not_found(complete, alice):
    assert signed_in(alice).get(f"/responses/{complete.pk}/workflow/shred/").status_code == 404


def test_approval_is_refused_naming_each_recommendation_without_an_entry(alice, pat):
    response = ResponseFactory.create(report__body=alice.body, status=S.READY_FOR_APPROVAL)
    for n in (2, 4, 6):
        FindingFactory.create(
            report=response.report, reference=f"Recommendation {n}", addressed_to=[addressee()]
        )
    EntryFactory.create(
        response=response, finding=response.report.findings.get(reference="Recommendation 2")
    )
    client = signed_in(pat)
    page = client.get(f"/responses/{response.pk}/workflow/approve/")
    assert "Recommendation 4 and Recommendation 6 still have no entry" in page.text
    result = post(client, response, "approve")
    assert result.status_code == 409
    assert "Recommendation 4 and Recommendation 6 still have no entry" in result.text
    assert "s55(5B)" in result.text
    response.refresh_from_db()
    assert response.status == S.READY_FOR_APPROVAL
    assert response.approved_by is None


def test_approval_records_who_and_when(complete, pat):
    response = at(complete, S.READY_FOR_APPROVAL)
    post(signed_in(pat), response, "approve")
    response.refresh_from_db()
    assert response.approved_by == pat.user
    assert response.approved_at is not None
    assert response.history.first().history_user == pat.user


def test_a_change_after_approval_returns_it_to_draft_with_the_reason_recorded(complete, alice):
    response = at(complete, S.APPROVED)
    client = signed_in(alice)
    form = client.get(f"/responses/{response.pk}/edit/")
    assert "Why are you changing an approved response?" in form.text
    data = {
        "version": "1",
        "comments": "A late correction.",
        "marking": "official",
        "signatory_name": "",
        "signatory_role": "",
        "closing_line": "",
    }
    refused = client.post(f"/responses/{response.pk}/edit/", data)
    assert refused.status_code == 422
    assert "A late correction." in refused.text
    result = client.post(
        f"/responses/{response.pk}/edit/", data | {"change_reason": "A figure was wrong."}
    )
    assert result.status_code == 302
    response.refresh_from_db()
    assert (response.status, response.approved_by) == (S.DRAFT, None)
    assert response.history.first().history_change_reason == (
        "Changed after approval: A figure was wrong."
    )


def test_an_entry_changed_after_approval_also_returns_it_to_draft(complete, alice):
    response = at(complete, S.APPROVED)
    entry = response.entries.get()
    url = f"/responses/{response.pk}/entries/{entry.finding_id}/"
    data = {
        "answer": "taken",
        "text": "Now done.",
        "version": str(entry.version),
        "change_reason": "The force finished early.",
    }
    assert signed_in(alice).post(url, data).status_code == 302
    response.refresh_from_db()
    assert response.status == S.DRAFT
    assert response.version == 2
    assert ResponseEntry.objects.get().text == "Now done."


@pytest.mark.parametrize("status", [S.PUBLISHED, S.COPIES_SENT, S.NO_RESPONSE_NEEDED])
def test_a_published_or_settled_response_can_no_longer_be_edited(status, complete, alice):
    response = at(complete, status)
    client = signed_in(alice)
    data = {"version": "1", "comments": "Sneaky edit", "marking": "official"}
    result = client.post(f"/responses/{response.pk}/edit/", data)
    assert result.status_code == 409
    assert "can no longer be changed" in result.text
    entry = response.entries.get()
    url = f"/responses/{response.pk}/entries/{entry.finding_id}/"
    result = client.post(url, {"answer": "taken", "text": "Sneaky", "version": entry.version})
    assert result.status_code == 409
    response.refresh_from_db()
    assert response.comments != "Sneaky edit"
    assert ResponseEntry.objects.get().text != "Sneaky"


def test_a_step_based_on_an_old_version_is_refused(complete, pat):
    response = at(complete, S.READY_FOR_APPROVAL)
    Response.objects.filter(pk=response.pk).update(version=5)
    result = signed_in(pat).post(f"/responses/{response.pk}/workflow/approve/", {"version": "1"})
    assert result.status_code == 409
    assert "Someone else changed this response" in result.text
    assert Response.objects.get(pk=response.pk).status == S.READY_FOR_APPROVAL


def test_publication_after_the_due_date_is_recorded_as_late(alice):
    response = ResponseFactory.create(
        report__body=alice.body,
        report__published_on=TODAY - dt.timedelta(days=80),
        status=S.APPROVED,
    )
    post(signed_in(alice), response, "publish")
    page = signed_in(alice).get(f"/responses/{response.pk}/")
    assert "Published late" in page.text
    assert Response.objects.get(pk=response.pk).published_late is True


def test_dates_in_the_future_and_copies_before_publication_are_refused(complete, alice):
    response = at(complete, S.APPROVED)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    result = post(signed_in(alice), response, "publish", published_on=tomorrow)
    assert result.status_code == 422
    assert "cannot be in the future" in result.text
    Response.objects.filter(pk=response.pk).update(status=S.PUBLISHED, published_on=TODAY)
    result = post(signed_in(alice), response, "record-copies", copy_to_inspectorate_on=YESTERDAY)
    assert result.status_code == 422
    assert "before the response is published" in result.text


def test_the_response_page_offers_only_the_steps_the_role_may_take(complete, alice, pat, ana):
    response = at(complete, S.READY_FOR_APPROVAL)
    url = f"/responses/{response.pk}/"
    assert "Approve the response" in signed_in(pat).get(url).text
    assert "Approve the response" not in signed_in(alice).get(url).text
    assert "Return to draft" in signed_in(alice).get(url).text
    assert "Next steps" not in signed_in(ana).get(url).text


def test_a_response_returned_to_draft_keeps_its_chief_officer_facts(complete, alice, pat):
    """Found 5: returning an approved response to draft made the chief officer be invited
    again, the invitation form offering today and a new reply-by date, so the page said
    "reply by 6 December (received 23 November)"."""
    invited, reply_by, received = (TODAY - dt.timedelta(days=n) for n in (29, 15, 20))
    Response.objects.filter(pk=complete.pk).update(
        chief_reply_by=reply_by,
        chief_comments_received_on=received,
        chief_comments="The Chief Constable accepts the findings.",
    )
    response = at(complete, S.APPROVED)
    client = signed_in(alice)
    assert post(client, response, "return-to-draft").status_code == 302

    page = client.get(f"/responses/{response.pk}/")
    assert f"{invited:%-d %B %Y}, to reply by {reply_by:%-d %B %Y}" in page.text
    assert page.text.index('id="chief-invited"') < page.text.index('id="chief-received"')
    assert f"{received:%-d %B %Y}" in page.text
    assert "Send for approval" in page.text  # straight back, without a new invitation

    # Inviting again, if they choose to, starts from the invitation already made.
    form = client.get(f"/responses/{response.pk}/workflow/request-comments/").context["form"]
    assert (form.initial["chief_invited_on"], form.initial["chief_reply_by"]) == (invited, reply_by)

    assert post(client, response, "submit").status_code == 302
    response.refresh_from_db()
    assert response.status == S.READY_FOR_APPROVAL
    assert (response.chief_invited_on, response.chief_reply_by) == (invited, reply_by)
    assert response.chief_comments_received_on == received
    assert invited <= received


@pytest.mark.parametrize("status", [S.PUBLISHED, S.COPIES_SENT])
def test_an_approver_may_prepare_a_correction_of_a_published_response(status, complete, pat):
    response = at(complete, status)
    client = signed_in(pat)
    data = {"version": "1", "comments": "Corrected wording.", "marking": "official"}
    assert client.post(f"/responses/{response.pk}/edit/", data).status_code == 302
    entry = response.entries.get()
    url = f"/responses/{response.pk}/entries/{entry.finding_id}/"
    assert client.post(url, {"answer": "taken", "text": "Done.", "version": "1"}).status_code == 302
    response.refresh_from_db()
    assert (response.status, response.comments) == (status, "Corrected wording.")
    assert ResponseEntry.objects.get().text == "Done."


def test_nobody_edits_a_response_decided_as_needing_none(complete, pat):
    response = at(complete, S.NO_RESPONSE_NEEDED)
    data = {"version": "1", "comments": "Sneaky edit", "marking": "official"}
    assert signed_in(pat).post(f"/responses/{response.pk}/edit/", data).status_code == 409
