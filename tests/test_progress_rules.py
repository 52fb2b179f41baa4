"""Status and progress agree (issue 10, item 7; docs/domain.md#status-and-progress-agree):
complete means 100% and not started means 0%, on the action form and on progress
updates, each refusal naming both values."""

from __future__ import annotations

import pytest

from inspections.forms.actions import ProgressForm
from inspections.models import ActionStatus, AssuranceAction
from inspections.validation import status_progress_problems

from .factories import ActionFactory

pytestmark = pytest.mark.django_db

COMPLETE_AT_40 = (
    "The status is Complete but percent complete is 40%. Complete means 100%: enter 100, "
    "or choose another status."
)
NOT_STARTED_AT_20 = (
    "The status is Not started but percent complete is 20%. Not started means 0%: enter 0, "
    "or choose another status, such as In progress."
)


def action_data(**overrides: str) -> dict[str, str]:
    return {
        "title": "Check the vetting backlog",
        "start_on": "2026-01-05",
        "target_on": "2026-06-30",
        "status": ActionStatus.IN_PROGRESS,
        "percent_complete": "20",
    } | overrides


class TestTheRule:
    @pytest.mark.parametrize(
        ("status", "percent", "message"),
        [
            (ActionStatus.COMPLETE, 40, COMPLETE_AT_40),
            (ActionStatus.NOT_STARTED, 20, NOT_STARTED_AT_20),
        ],
    )
    def test_a_contradiction_is_a_problem_naming_both_values(self, status, percent, message):
        assert status_progress_problems(status=status, percent_complete=percent) == [
            ("percent_complete", message)
        ]

    @pytest.mark.parametrize(
        ("status", "percent"),
        [
            (ActionStatus.COMPLETE, 100),
            (ActionStatus.NOT_STARTED, 0),
            (ActionStatus.IN_PROGRESS, 0),
            (ActionStatus.IN_PROGRESS, 100),
            (ActionStatus.PENDING_SIGN_OFF, 100),
            (ActionStatus.NOT_ADOPTED, 35),
            (ActionStatus.COMPLETE, None),
        ],
    )
    def test_anything_else_agrees(self, status, percent):
        assert status_progress_problems(status=status, percent_complete=percent) == []


class TestTheActionForm:
    @pytest.mark.parametrize(
        ("status", "percent", "message"),
        [
            (ActionStatus.COMPLETE, "40", COMPLETE_AT_40),
            (ActionStatus.NOT_STARTED, "20", NOT_STARTED_AT_20),
        ],
    )
    def test_it_refuses_a_contradiction(self, alice_client, status, percent, message):
        page = alice_client.post(
            "/actions/new/", action_data(status=status, percent_complete=percent)
        )
        assert page.status_code == 422
        assert f'<a href="#id_percent_complete">{message}</a>' in page.text
        assert not AssuranceAction.objects.exists()

    @pytest.mark.parametrize(
        ("status", "percent"), [(ActionStatus.COMPLETE, "100"), (ActionStatus.NOT_STARTED, "0")]
    )
    def test_it_accepts_status_and_percent_that_agree(self, alice_client, status, percent):
        page = alice_client.post(
            "/actions/new/", action_data(status=status, percent_complete=percent)
        )
        assert page.status_code == 302
        assert AssuranceAction.objects.get().status == status

    def test_its_hints_say_what_complete_and_not_started_mean(self, alice_client):
        page = alice_client.get("/actions/new/").text
        assert "Complete means 100% complete; Not started means 0%." in page
        assert "100 for a complete action, 0 for one not started." in page


class TestProgressUpdates:
    @pytest.mark.parametrize(
        ("status", "percent", "message"),
        [
            (ActionStatus.COMPLETE, "40", COMPLETE_AT_40),
            (ActionStatus.NOT_STARTED, "20", NOT_STARTED_AT_20),
        ],
    )
    def test_the_page_refuses_an_update_that_contradicts_itself(
        self, alice, alice_client, status, percent, message
    ):
        action = ActionFactory.create(body=alice.body, percent_complete=10)
        page = alice_client.post(
            f"/actions/{action.pk}/updates/",
            {"text": "Done.", "status": status, "percent_complete": percent},
        )
        assert page.status_code == 422
        assert message in page.text
        action.refresh_from_db()
        assert (action.status, action.percent_complete) == (ActionStatus.IN_PROGRESS, 10)
        assert not action.updates.exists()

    def test_the_form_reads_what_is_left_unchanged_from_the_action(self, alice):
        at_40 = ActionFactory.create(body=alice.body, percent_complete=40)
        complete = ProgressForm({"text": "Done.", "status": "complete"}, action=at_40)
        assert not complete.is_valid()
        assert complete.errors["percent_complete"] == [COMPLETE_AT_40]

        not_started = ActionFactory.create(
            body=alice.body, status=ActionStatus.NOT_STARTED, percent_complete=0
        )
        started = ProgressForm({"text": "Begun.", "percent_complete": "20"}, action=not_started)
        assert not started.is_valid()
        assert started.errors["percent_complete"] == [NOT_STARTED_AT_20]

        both = ProgressForm(
            {"text": "Done.", "status": "complete", "percent_complete": "100"}, action=at_40
        )
        assert both.is_valid()

    def test_an_update_changing_neither_is_accepted_even_on_an_old_contradiction(self, alice):
        # Stored before the rule: the note is still welcome; the next change must agree.
        old = ActionFactory.create(
            body=alice.body, status=ActionStatus.COMPLETE, percent_complete=40
        )
        assert ProgressForm({"text": "Board noted it."}, action=old).is_valid()

    def test_its_hints_say_what_complete_means(self, alice, alice_client):
        action = ActionFactory.create(body=alice.body)
        page = alice_client.get(f"/actions/{action.pk}/").text
        assert "Complete means 100% complete; Not started means 0%." in page
        assert "100 if it is complete." in page
