"""Slippage: every move of an action's target date asks why and is kept (from, to, who,
when, why); moves later are counted; the action page, the actions list, the dashboard and
the exports show how often and how far each action has slipped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from inspections.models import (
    ActionStatus,
    AssuranceAction,
    TargetChange,
    TargetReasonNeeded,
)
from inspections.services import actions as services

from .factories import ActionFactory, UpdateFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
START = dt.date(2026, 1, 5)
TARGET = dt.date(2026, 6, 30)


@pytest.fixture
def action(alice):
    return ActionFactory.create(
        body=alice.body,
        title="Clear the vetting backlog",
        start_on=START,
        target_on=TARGET,
        percent_complete=40,
    )


def move(action: AssuranceAction, to_on: dt.date, reason: str, by, **extra) -> AssuranceAction:
    """The target moved through the service, as every path moves it."""
    current = AssuranceAction.objects.get(pk=action.pk)
    return services.action_update(
        action=current,
        version=current.version,
        target_on=to_on,
        target_reason=reason,
        by=by,
        **extra,
    )


def edit_data(action: AssuranceAction, **overrides) -> dict[str, object]:
    data = {
        "title": action.title,
        "description": action.description,
        "owner": "",
        "force_lead": action.force_lead,
        "start_on": action.start_on.isoformat(),
        "target_on": action.target_on.isoformat(),
        "target_reason": "",
        "status": action.status,
        "percent_complete": str(action.percent_complete),
        "completed_on": "",
        "assurance_level": "",
        "assurance_evidence": "",
        "forum": "",
        "response": "",
        "version": str(action.version),
    }
    return data | overrides


def edit_url(action: AssuranceAction) -> str:
    return f"/actions/{action.pk}/edit/"


# --- The rule ----------------------------------------------------------------------------


class TestTheRule:
    def test_a_new_action_starts_with_its_target_as_the_original_and_no_slippage(self, action):
        assert (action.original_target_on, action.slip_count, action.slip_days) == (TARGET, 0, 0)
        assert not action.target_changes.exists()

    def test_a_move_later_keeps_from_to_who_when_and_why_and_counts_one_slip(self, action, alice):
        moved = move(
            action, TARGET + 31 * DAY, "  The new IT system goes live in July.  ", alice.user
        )
        change = TargetChange.objects.get(action=action)
        assert (change.from_on, change.to_on) == (TARGET, TARGET + 31 * DAY)
        assert (change.changed_by, change.reason) == (
            alice.user,
            "The new IT system goes live in July.",
        )
        assert timezone.now() - change.changed_at < dt.timedelta(minutes=1)
        moved.refresh_from_db()
        assert (moved.target_on, moved.original_target_on) == (TARGET + 31 * DAY, TARGET)
        assert (moved.slip_count, moved.slip_days, moved.version) == (1, 31, 2)

    def test_a_move_earlier_is_kept_but_not_counted_and_takes_days_off_the_slippage(
        self, action, alice, pat
    ):
        move(action, TARGET + 60 * DAY, "Recruitment slipped.", alice.user)
        move(action, TARGET + 20 * DAY, "Two analysts started early.", pat.user)
        action.refresh_from_db()
        assert (action.slip_count, action.slip_days) == (1, 20)
        move(action, TARGET - 10 * DAY, "Brought forward by the chief constable.", pat.user)
        action.refresh_from_db()
        # Earlier than first set: still counted as having slipped once, by 0 days now.
        assert (action.slip_count, action.slip_days, action.original_target_on) == (1, 0, TARGET)
        changes = list(action.target_changes.order_by("changed_at", "pk"))
        assert [(c.from_on, c.to_on, c.later) for c in changes] == [
            (TARGET, TARGET + 60 * DAY, True),
            (TARGET + 60 * DAY, TARGET + 20 * DAY, False),
            (TARGET + 20 * DAY, TARGET - 10 * DAY, False),
        ]

    @pytest.mark.parametrize("reason", ["", "   ", "\u202e"])
    def test_a_move_without_a_reason_is_refused_and_changes_nothing(self, action, alice, reason):
        with pytest.raises(TargetReasonNeeded):
            move(action, TARGET + 7 * DAY, reason.replace("\u202e", " "), alice.user, title="New")
        action.refresh_from_db()
        assert (action.target_on, action.title, action.version, action.slip_count) == (
            TARGET, "Clear the vetting backlog", 1, 0,
        )  # fmt: skip
        assert not TargetChange.objects.exists()

    def test_a_reason_given_without_a_new_date_records_nothing(self, action, alice):
        move(action, TARGET, "Just in case.", alice.user, title="Clear the backlog")
        action.refresh_from_db()
        assert (action.title, action.slip_count) == ("Clear the backlog", 0)
        assert not TargetChange.objects.exists()

    def test_a_move_needs_to_know_who_made_it(self, action):
        with pytest.raises(ValueError, match="person"):
            move(action, TARGET + DAY, "A reason.", None)
        assert not TargetChange.objects.exists()

    def test_a_target_change_cannot_be_edited_or_deleted(self, action, alice):
        move(action, TARGET + DAY, "A reason.", alice.user)
        change = TargetChange.objects.get()
        change.reason = "Rewritten later"
        with pytest.raises(ValueError, match="cannot be changed"):
            change.save()
        with pytest.raises(ValueError, match="cannot be deleted"):
            change.delete()
        assert TargetChange.objects.get().reason == "A reason."

    def test_the_history_says_why_the_target_moved(self, alice_client, action, alice):
        move(action, dt.date(2026, 9, 30), "The force restructured.", alice.user)
        page = alice_client.get(f"/actions/{action.pk}/history/")
        assert page.status_code == 200
        assert (
            "Target date moved from 30 June 2026 to 30 September 2026: The force restructured."
            in page.text
        )
        assert "Times the target moved later" in page.text


# --- The edit form -----------------------------------------------------------------------


class TestEditing:
    def test_the_edit_form_asks_why_beside_the_target_date(self, alice_client, action):
        page = alice_client.get(edit_url(action))
        assert page.status_code == 200
        html = page.text
        assert html.index('name="target_on-day"') < html.index('name="target_reason"')
        assert html.index('name="target_reason"') < html.index('name="status"')
        assert "Why is the target date changing?</label>" in html  # not "(optional)"
        assert "Needed only if you change the target date" in html

    def test_the_add_form_does_not_ask(self, alice_client):
        assert 'name="target_reason"' not in alice_client.get("/actions/new/").text

    def test_a_new_target_without_a_reason_is_refused_with_the_text_kept(
        self, alice_client, action
    ):
        data = edit_data(action, title="My new title", target_on="2026-09-30")
        response = alice_client.post(edit_url(action), data)
        assert response.status_code == 422
        assert 'href="#id_target_reason"' in response.text
        assert "Enter why the target date is changing" in response.text
        assert 'value="My new title"' in response.text
        assert 'name="target_on-day" value="30"' in response.text
        action.refresh_from_db()
        assert (action.target_on, action.title, action.version) == (
            TARGET, "Clear the vetting backlog", 1,
        )  # fmt: skip
        assert not TargetChange.objects.exists()

    def test_with_htmx_the_refusal_is_the_form_alone(self, alice_client, action):
        data = edit_data(action, target_on="2026-09-30", description="Words I wrote")
        response = alice_client.post(edit_url(action), data, headers=HTMX)
        assert response.status_code == 422
        assert "<html" not in response.text
        assert "Words I wrote" in response.text

    def test_a_new_target_with_a_reason_is_kept_and_shown_on_the_action_page(
        self, alice_client, alice, action
    ):
        data = edit_data(
            action, target_on="2026-09-30", target_reason="Waiting for <b>national</b> guidance."
        )
        response = alice_client.post(edit_url(action), data, follow=True)
        assert response.redirect_chain == [(f"/actions/{action.pk}/", 302)]
        change = TargetChange.objects.get(action=action)
        assert (change.from_on, change.to_on, change.changed_by) == (
            TARGET, dt.date(2026, 9, 30), alice.user,
        )  # fmt: skip
        page = response.text
        assert "First set for 30 June 2026" in page
        assert "Moved once, 92 days later" in page
        table = page[page.index('data-testid="target-changes"') :]
        for cell in ("30 June 2026", "30 September 2026", "92 days later", "Alice"):
            assert cell in table
        assert "Waiting for &lt;b&gt;national&lt;/b&gt; guidance." in table

    def test_another_bodys_action_is_not_found(self, olly_client, action):
        data = edit_data(action, target_on="2026-09-30", target_reason="Hijack")
        assert olly_client.post(edit_url(action), data).status_code == 404
        assert olly_client.post(edit_url(action), data, headers=HTMX).status_code == 404
        assert not TargetChange.objects.exists()

    def test_an_analyst_cannot_move_a_target(self, ana_client, action):
        data = edit_data(action, target_on="2026-09-30", target_reason="Because")
        assert ana_client.post(edit_url(action), data).status_code == 403
        assert not TargetChange.objects.exists()

    def test_a_force_contributor_cannot_move_a_target(self, cora_client, cora, action):
        action.owner = cora.user
        action.save()
        data = edit_data(action, target_on="2026-09-30", target_reason="Because")
        assert cora_client.post(edit_url(action), data).status_code == 404
        assert not TargetChange.objects.exists()

    def test_a_force_contributor_reads_the_changes_on_her_own_action(
        self, cora_client, cora, alice, action
    ):
        action.owner = cora.user
        action.save()
        move(action, TARGET + 14 * DAY, "Waiting for the new rota.", alice.user)
        page = cora_client.get(f"/actions/{action.pk}/")
        assert page.status_code == 200
        assert "Waiting for the new rota." in page.text
        assert "Moved once, 14 days later" in page.text

    def test_the_edit_page_refuses_other_methods(self, alice_client, action):
        assert alice_client.put(edit_url(action)).status_code == 405


class TestTwoPeopleAtOnce:
    def test_a_colleagues_move_since_the_form_opened_stays_and_asks_the_user_nothing(
        self, alice_client, action, pat
    ):
        opened = edit_data(action, title="Clear the backlog by summer")
        move(action, dt.date(2026, 8, 31), "Pat's reason.", pat.user)
        response = alice_client.post(edit_url(action), opened)  # the old target, unchanged
        assert response.status_code == 302
        action.refresh_from_db()
        assert (action.title, action.target_on, action.slip_count) == (
            "Clear the backlog by summer", dt.date(2026, 8, 31), 1,
        )  # fmt: skip
        assert list(TargetChange.objects.values_list("reason", flat=True)) == ["Pat's reason."]

    def test_a_move_on_an_older_version_without_a_reason_is_asked_after_the_merge(
        self, alice_client, action, pat
    ):
        opened = edit_data(action, target_on="2026-09-30", description="Alice's note")
        current = AssuranceAction.objects.get(pk=action.pk)
        services.action_update(action=current, version=1, title="Pat's title", by=pat.user)
        response = alice_client.post(edit_url(action), opened)
        assert response.status_code == 422
        assert "Enter why the target date is changing" in response.text
        assert "Alice&#x27;s note" in response.text or "Alice's note" in response.text
        action.refresh_from_db()
        assert (action.title, action.target_on) == ("Pat's title", TARGET)
        again = alice_client.post(edit_url(action), opened | {"target_reason": "Now I say."})
        assert again.status_code == 302
        action.refresh_from_db()
        assert (action.title, action.target_on, action.description) == (
            "Pat's title", dt.date(2026, 9, 30), "Alice's note",
        )  # fmt: skip

    def test_two_moves_of_the_same_target_conflict_and_neither_reason_is_lost(
        self, alice_client, alice, action, pat
    ):
        opened = edit_data(
            action, target_on="2026-09-30", target_reason="Alice: the force asked for autumn."
        )
        move(action, dt.date(2026, 8, 31), "Pat: the board agreed August.", pat.user)
        conflict = alice_client.post(edit_url(action), opened)
        assert conflict.status_code == 409
        assert "Someone else changed this action" in conflict.text
        assert "Alice: the force asked for autumn." in conflict.text  # kept in the form
        assert 'name="version" value="2"' in conflict.text
        action.refresh_from_db()
        assert action.target_on == dt.date(2026, 8, 31)
        # Saving again is deliberate: it moves Pat's target on, with Alice's reason.
        resent = opened | {"version": "2"}
        assert alice_client.post(edit_url(action), resent).status_code == 302
        changes = list(
            TargetChange.objects.order_by("changed_at", "pk").values_list(
                "from_on", "to_on", "changed_by__username", "reason"
            )
        )
        assert changes == [
            (TARGET, dt.date(2026, 8, 31), "pat", "Pat: the board agreed August."),
            (
                dt.date(2026, 8, 31),
                dt.date(2026, 9, 30),
                "alice",
                "Alice: the force asked for autumn.",
            ),
        ]
        action.refresh_from_db()
        assert (action.slip_count, action.slip_days) == (2, 92)


# --- The list ------------------------------------------------------------------------------


@pytest.fixture
def slipped(alice, pat):
    """Three actions that slipped by different amounts, one closed, and one that never did."""
    made = {}
    for title, moves in (
        ("Twice, 45 days", [30, 15]),
        ("Once, 90 days", [90]),
        ("Twice, 10 days", [5, 5]),
        ("Closed, once", [20]),
    ):
        action = ActionFactory.create(
            body=alice.body, title=title, start_on=START, target_on=TARGET
        )
        for days in moves:
            current = AssuranceAction.objects.get(pk=action.pk)
            move(current, current.target_on + days * DAY, f"Moved {days} days.", pat.user)
        made[title] = action
    closing = AssuranceAction.objects.get(title="Closed, once")
    services.action_update(
        action=closing, version=closing.version, status=ActionStatus.COMPLETE, percent_complete=100
    )
    made["Never"] = ActionFactory.create(body=alice.body, title="Never", target_on=TARGET)
    return made


def titles(response) -> list[str]:
    return [a.title for a in response.context["page"].object_list]


class TestTheList:
    def test_each_row_shows_times_and_days_beside_its_target(self, alice_client, slipped):
        page = alice_client.get("/actions/?sort=title")
        assert page.status_code == 200
        shown = re.findall(
            r'data-testid="slippage"><span class="app-slippage">([^<]+)</span>', page.text
        )
        assert shown == [
            "Moved once, 20 days later",
            "Moved once, 90 days later",
            "Moved 2 times, 10 days later",
            "Moved 2 times, 45 days later",
        ]

    def test_it_sorts_most_slipped_first(self, alice_client, slipped):
        page = alice_client.get("/actions/?sort=slipped")
        assert titles(page) == [
            "Twice, 45 days", "Twice, 10 days", "Once, 90 days", "Closed, once", "Never",
        ]  # fmt: skip
        assert '<option value="slipped" selected>' in page.text

    def test_it_filters_to_slipped_actions_and_to_open_ones(self, alice_client, slipped):
        later = alice_client.get("/actions/?slipped=later&sort=slipped")
        assert titles(later) == [
            "Twice, 45 days",
            "Twice, 10 days",
            "Once, 90 days",
            "Closed, once",
        ]
        still_open = alice_client.get("/actions/?slipped=open&sort=slipped")
        assert titles(still_open) == ["Twice, 45 days", "Twice, 10 days", "Once, 90 days"]
        assert "3 actions" in still_open.text

    def test_htmx_gets_only_the_results(self, alice_client, slipped):
        page = alice_client.get("/actions/?slipped=open", headers=HTMX)
        assert page.status_code == 200
        assert "<html" not in page.text
        assert 'id="results"' in page.text

    def test_another_bodys_slipped_actions_are_not_listed(self, olly_client, slipped):
        assert titles(olly_client.get("/actions/?slipped=later")) == []

    def test_an_unknown_choice_is_shown_as_an_error_and_the_rest_still_apply(
        self, alice_client, slipped
    ):
        page = alice_client.get("/actions/?slipped=sideways&q=Twice")
        assert page.status_code == 200
        assert sorted(titles(page)) == ["Twice, 10 days", "Twice, 45 days"]

    def test_the_query_count_does_not_grow_with_the_actions(
        self, alice_client, alice, pat, django_assert_max_num_queries
    ):
        def make(n: int) -> None:
            for i in range(n):
                action = ActionFactory.create(body=alice.body, owner=(alice.user, None)[i % 2])
                move(action, action.target_on + (i + 1) * DAY, "Slipped.", pat.user)

        def count(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert alice_client.get(url).status_code == 200
            return len(queries)

        url = "/actions/?slipped=open&sort=slipped"
        make(3)
        few = count(url)
        make(27)
        assert count(url) == few
        # session, user, membership, owners, count, inspectorates, reports, actions
        with django_assert_max_num_queries(8):
            assert alice_client.get(url).status_code == 200


class TestExports:
    def test_the_actions_csv_carries_the_original_target_times_moved_and_days_slipped(
        self, ana_client, slipped
    ):
        response = ana_client.get(
            reverse("action_export", kwargs={"fmt": "csv"}), {"sort": "slipped"}
        )
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        _marking, header, *rows = list(csv.reader(io.StringIO(text)))
        columns = ("Title", "Target date", "Original target date", "Times the target moved later")
        picked = [
            [dict(zip(header, row, strict=True))[c] for c in (*columns, "Days slipped")]
            for row in rows
        ]
        assert picked == [
            ["Twice, 45 days", "2026-08-14", "2026-06-30", "2", "45"],
            ["Twice, 10 days", "2026-07-10", "2026-06-30", "2", "10"],
            ["Once, 90 days", "2026-09-28", "2026-06-30", "1", "90"],
            ["Closed, once", "2026-07-20", "2026-06-30", "1", "20"],
            ["Never", "2026-06-30", "2026-06-30", "0", "0"],
        ]

    def test_the_xlsx_has_a_real_date_and_real_numbers(self, ana_client, slipped):
        response = ana_client.get(
            reverse("action_export", kwargs={"fmt": "xlsx"}), {"sort": "slipped"}
        )
        content = b"".join(response.streaming_content)
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        header, first = list(rows[1]), dict(zip(rows[1], rows[2], strict=True))
        assert header.index("Original target date") == header.index("Target date") + 1
        assert first["Original target date"].date() == TARGET
        assert (first["Times the target moved later"], first["Days slipped"]) == (2, 45)

    def test_the_updates_export_follows_the_most_slipped_sort(self, ana_client, slipped, alice):
        for title in ("Never", "Twice, 45 days"):
            UpdateFactory.create(action=slipped[title], author=alice.user, text=f"On {title}")
        response = ana_client.get(
            reverse("update_export", kwargs={"fmt": "csv"}), {"sort": "slipped"}
        )
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        updates = [row[5] for row in list(csv.reader(io.StringIO(text)))[2:]]
        assert updates == ["On Twice, 45 days", "On Never"]


# --- The dashboard -------------------------------------------------------------------------


def test_the_dashboards_most_slipped_list_links_to_a_list_of_the_same_count(
    alice_client, alice, pat
):
    for n in range(12):
        action = ActionFactory.create(body=alice.body, title=f"Slipped {n:02}", target_on=TARGET)
        for _ in range(n % 3 + 1):
            current = AssuranceAction.objects.get(pk=action.pk)
            move(current, current.target_on + (n + 1) * DAY, "Slipped again.", pat.user)
    ActionFactory.create(body=alice.body, title="On time")
    page = alice_client.get("/dashboard/")
    board = page.context["board"]
    assert len(board.slipped) == 10
    assert [a.slip_count for a in board.slipped[:4]] == [3, 3, 3, 3]
    figure = board.slipped_open
    assert figure.value == 12
    assert f'href="{figure.url}"'.replace("&", "&amp;") in page.text
    assert 'data-figure="slipped"' in page.text
    listed = alice_client.get(figure.url)
    assert listed.context["page"].paginator.count == 12
    assert titles(listed)[:10] == [a.title for a in board.slipped]
