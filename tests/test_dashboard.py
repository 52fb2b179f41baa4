"""The dashboard's figures against hand-built data, each figure's list agreeing with it,
and a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections.dashboard import Figure
from inspections.models import (
    ActionStatus,
    AssuranceAction,
    Forum,
    Meeting,
    ReportType,
    ResponseStatus,
)
from inspections.selectors import months_ago

from .factories import ActionFactory, FindingFactory, ReportFactory, ResponseFactory, UpdateFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
HTMX = {"HX-Request": "true"}


def published_for(days_left: int) -> dt.date:
    """The publication date that leaves `days_left` days on the statutory clock today."""
    return TODAY - dt.timedelta(days=55 - days_left)


def board(client, query: str = ""):
    response = client.get("/dashboard/" + query)
    assert response.status_code == 200
    return response.context["board"]


def all_figures(b) -> list[Figure]:
    figures = [b.due_soon, b.overdue, b.published_12m, b.on_time_12m, *b.rag, *b.ageing]
    figures += [*b.overdue_by_owner, b.new_updates, b.new_findings]
    figures += [cell for row in b.findings for cell in row["cells"]]
    figures += [f for f in (b.due_responses, b.due_actions) if f is not None]
    figures += b.closure
    figures += [b.slipped_open]
    return figures


def list_count(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    match = re.search(r"(\d+) (?:response|finding|action)s?\b", page.text)
    assert match is not None, url
    return int(page.context["page"].paginator.count)


class TestResponses:
    def test_it_counts_responses_due_within_14_days_and_overdue(self, alice_client, alice):
        for days_left in (0, 14, 15, -1, -30):
            ResponseFactory.create(
                report__body=alice.body, report__published_on=published_for(days_left)
            )
        ResponseFactory.create(  # settled, so never overdue
            report__body=alice.body,
            report__published_on=published_for(-5),
            status=ResponseStatus.NO_RESPONSE_NEEDED,
        )
        ResponseFactory.create(  # fire reports have no clock
            report__body=alice.body,
            report__published_on=published_for(-5),
            report__report_type=ReportType.FIRE,
        )
        b = board(alice_client)
        assert (b.due_soon.value, b.overdue.value) == (2, 2)

    def test_the_on_time_share_covers_the_last_12_months(self, alice_client, alice):
        def published(report_days_ago: int, response_days_ago: int) -> None:
            ResponseFactory.create(
                report__body=alice.body,
                report__published_on=TODAY - dt.timedelta(days=report_days_ago),
                published_on=TODAY - dt.timedelta(days=response_days_ago),
                status=ResponseStatus.COPIES_SENT,
            )

        published(100, 45)  # day 56: on time
        published(100, 44)  # day 57: late
        published(60, 10)  # on time
        published(500, 400)  # outside the 12 months
        b = board(alice_client)
        assert (b.on_time_12m.value, b.published_12m.value, b.on_time_percent) == (2, 3, 67)

    def test_with_nothing_published_the_share_is_shown_as_a_dash(self, alice_client):
        b = board(alice_client)
        assert b.on_time_percent is None


class TestFindings:
    def test_the_three_closure_facts_are_counted_side_by_side(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        FindingFactory.create(report=report)  # open
        FindingFactory.create(report=report, force_complete_on=TODAY)
        FindingFactory.create(report=report, force_complete_on=TODAY, body_assured_on=TODAY)
        FindingFactory.create(report=report, inspectorate_status="complete")
        FindingFactory.create(report=report, kind="area_for_improvement")
        b = board(alice_client)
        recommendations = {c.label: c.value for c in b.findings[0]["cells"]}
        assert recommendations == {
            "All": 4,
            "Open": 1,
            "Force says complete": 2,
            "Body assured": 1,
            "Inspectorate complete": 1,
        }
        assert b.findings[2]["cells"][0].value == 1


class TestActions:
    def test_rag_counts_follow_the_rule_at_its_boundaries(self, alice_client, alice):
        start, target = TODAY - dt.timedelta(days=50), TODAY + dt.timedelta(days=50)

        def action(percent: int, **kw) -> None:
            ActionFactory.create(
                body=alice.body, start_on=start, target_on=target, percent_complete=percent, **kw
            )

        action(40)  # exactly 10 points behind the expected 50%: green
        action(39)  # amber
        action(25)  # exactly 25 behind: amber
        action(24)  # red
        action(100, status=ActionStatus.COMPLETE)  # blue
        action(0, status=ActionStatus.NOT_ADOPTED)  # grey
        ActionFactory.create(  # past target: red
            body=alice.body, start_on=start, target_on=TODAY - DAY, percent_complete=99
        )
        b = board(alice_client)
        assert {str(f.label): f.value for f in b.rag} == {
            "Red": 2,
            "Amber": 2,
            "Green": 1,
            "Blue: complete": 1,
            "Grey: not adopted": 1,
        }

    def test_open_actions_are_aged_in_bands_and_overdue_ones_grouped_by_owner(
        self, alice_client, alice, pat
    ):
        for months in (0, 2, 3, 7, 12, 30):
            ActionFactory.create(
                body=alice.body,
                start_on=months_ago(TODAY, months),
                target_on=TODAY + DAY,
                owner=alice.user,
            )
        ActionFactory.create(  # closed: not aged
            body=alice.body,
            start_on=months_ago(TODAY, 5),
            target_on=TODAY,
            status=ActionStatus.COMPLETE,
        )
        late = {"start_on": TODAY - dt.timedelta(days=90), "target_on": TODAY - DAY}
        ActionFactory.create(body=alice.body, owner=pat.user, **late)
        ActionFactory.create(body=alice.body, owner=pat.user, **late)
        ActionFactory.create(body=alice.body, owner=None, **late)
        b = board(alice_client)
        assert [f.value for f in b.ageing] == [2 + 3, 1, 1, 2]
        assert [(f.label, f.value) for f in b.overdue_by_owner] == [
            ("Pat", 2),
            ("Awaiting allocation", 1),
        ]


class TestChangesSince:
    def test_it_lists_status_changes_new_updates_and_new_findings_since_the_date(
        self, alice_client, alice
    ):
        action = ActionFactory.create(body=alice.body, status=ActionStatus.IN_PROGRESS)
        action.status = ActionStatus.PENDING_SIGN_OFF
        action.save()
        UpdateFactory.create(action=action, author=alice.user)
        FindingFactory.create(report__body=alice.body, report__published_on=TODAY)
        FindingFactory.create(report__body=alice.body, report__published_on=TODAY - DAY)
        b = board(alice_client, f"?since={TODAY.isoformat()}")
        assert [(c.title, c.before, c.after) for c in b.changes] == [
            (action.title, "In progress", "Pending sign-off")
        ]
        assert (b.new_updates.value, b.new_findings.value) == (1, 1)
        later = board(alice_client, f"?since={(TODAY + DAY).isoformat()}")
        assert (later.changes, later.new_updates.value, later.new_findings.value) == ([], 0, 0)

    def test_the_default_date_is_30_days_ago(self, alice_client):
        assert board(alice_client).since == TODAY - dt.timedelta(days=30)


def build_data(body, size: int) -> None:
    for n in range(size):
        report = ReportFactory.create(
            body=body,
            report_type=ReportType.PEEL if n % 2 else ReportType.NATIONAL_THEMATIC,
            published_on=TODAY - dt.timedelta(days=10 * n),
        )
        finding = FindingFactory.create(report=report, force_complete_on=TODAY if n % 3 else None)
        response = ResponseFactory.create(
            report=report,
            status=ResponseStatus.COPIES_SENT if n % 2 else ResponseStatus.DRAFT,
            published_on=TODAY - dt.timedelta(days=5 * n) if n % 2 else None,
        )
        action = ActionFactory.create(
            body=body,
            response=response,
            start_on=TODAY - dt.timedelta(days=20 * n + 10),
            target_on=TODAY + dt.timedelta(days=n - 5),
            percent_complete=n % 100,
        )
        action.findings.add(finding)
        action.status = ActionStatus.PENDING_SIGN_OFF
        action.save()
        UpdateFactory.create(action=action, author=body.members.first().user)


@pytest.mark.parametrize(
    "query", ["", f"?type=peel&published_from=2020-01-01&due_before={TODAY + 4 * DAY}"]
)
def test_every_figure_opens_a_list_whose_count_equals_it(alice_client, alice, query):
    build_data(alice.body, 12)
    b = board(alice_client, query)
    figures = all_figures(b)
    assert len(figures) >= 30
    for figure in figures:
        if query:
            assert "type=peel" in figure.url
        assert list_count(alice_client, figure.url) == figure.value, (figure.label, figure.url)


def test_the_query_count_is_the_same_for_small_and_large_data(alice_client, alice, pat):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            board(alice_client, "?type=peel")
        return len(queries)

    meeting(alice.body, TODAY - 20 * DAY)
    meeting(alice.body, TODAY + 20 * DAY)
    build_data(alice.body, 3)
    small = count()
    build_data(alice.body, 30)
    assert count() == small


def test_htmx_gets_only_the_figures(alice_client):
    partial = alice_client.get("/dashboard/?since=2026-01-01", headers=HTMX)
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'id="figures"' in partial.text


def test_every_member_sees_only_their_own_bodys_figures(ana_client, olly_client, alice, olly):
    ResponseFactory.create(report__body=alice.body, report__published_on=published_for(-3))
    assert board(ana_client).overdue.value == 1
    assert board(olly_client).overdue.value == 0
    assert (
        olly_client.get(b_url := board(ana_client).overdue.url).context["page"].paginator.count == 0
    )
    assert b_url.startswith("/responses/")


def test_the_dashboard_and_its_lists_refuse_posts(alice_client):
    for url in ("/dashboard/", "/responses/", "/findings/"):
        assert alice_client.post(url).status_code == 405


def test_charts_are_svg_with_a_title_a_description_and_a_table(alice_client, alice):
    ActionFactory.create(
        body=alice.body, start_on=TODAY - 10 * DAY, target_on=TODAY + 10 * DAY, percent_complete=50
    )
    page = alice_client.get("/dashboard/")
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page.text
    assert '<title id="chart-rag-title">Actions by RAG</title>' in page.text
    assert 'id="chart-rag-desc">Red: 0; Amber: 0; Green: 1;' in page.text
    assert "Actions by RAG: the figures" in page.text


def meeting(body, held_on: dt.date, name: str = "Accountability board") -> Meeting:
    return Meeting.objects.create(
        body=body, name=name, kind=Forum.ACCOUNTABILITY_BOARD, held_on=held_on
    )


class TestMeetings:
    def test_since_defaults_to_the_last_meeting_and_the_page_says_so(self, alice_client, alice):
        meeting(alice.body, TODAY - 40 * DAY, "Older board")
        meeting(alice.body, TODAY - 12 * DAY, "November board")
        page = alice_client.get("/dashboard/")
        assert page.context["board"].since == TODAY - 12 * DAY
        day = (TODAY - 12 * DAY).strftime("%-d %B %Y")
        assert f"What has changed since the last meeting (November board, {day})" in page.text

    def test_a_chosen_since_date_wins_over_the_last_meeting(self, alice_client, alice):
        meeting(alice.body, TODAY - 12 * DAY)
        assert board(alice_client, f"?since={TODAY - 3 * DAY}").since == TODAY - 3 * DAY

    def test_what_is_due_before_the_next_meeting_links_to_lists_of_the_same_count(
        self, alice_client, alice
    ):
        meeting(alice.body, TODAY + 10 * DAY, "December board")
        meeting(alice.body, TODAY + 40 * DAY, "January board")
        for days_left in (0, 10, 11, -1):
            ResponseFactory.create(
                report__body=alice.body, report__published_on=published_for(days_left)
            )
        for days in (0, 5, 10, 11, -2):
            ActionFactory.create(body=alice.body, target_on=TODAY + days * DAY)
        ActionFactory.create(body=alice.body, target_on=TODAY, status=ActionStatus.COMPLETE)
        page = alice_client.get("/dashboard/")
        b = page.context["board"]
        assert b.due_before == TODAY + 10 * DAY
        assert (b.due_responses.value, b.due_actions.value) == (2, 3)
        for figure in (b.due_responses, b.due_actions):
            assert list_count(alice_client, figure.url) == figure.value
        day = (TODAY + 10 * DAY).strftime("%-d %B %Y")
        assert f"Due before the next meeting (December board, {day})" in page.text
        chosen = board(alice_client, f"?due_before={TODAY + 11 * DAY}")
        assert (chosen.due_responses.value, chosen.due_actions.value) == (3, 4)

    def test_without_a_next_meeting_it_says_how_to_choose_a_date(self, alice_client):
        page = alice_client.get("/dashboard/")
        assert page.context["board"].due_responses is None
        assert 'data-figure="no-next-meeting"' in page.text

    def test_another_bodys_meetings_do_not_count(self, alice_client, olly):
        meeting(olly.body, TODAY - 5 * DAY)
        assert board(alice_client).since == TODAY - 30 * DAY


def test_the_most_slipped_open_actions_are_listed(alice_client, alice):
    moved = ActionFactory.create(body=alice.body, title="Moved twice", target_on=TODAY + 9 * DAY)
    AssuranceAction.objects.filter(pk=moved.pk).update(
        slip_count=2, original_target_on=TODAY - 30 * DAY
    )
    ActionFactory.create(body=alice.body, title="Never moved")
    page = alice_client.get("/dashboard/")
    assert [a.title for a in page.context["board"].slipped] == ["Moved twice"]
    assert "Most-slipped open actions" in page.text


def test_new_findings_are_those_of_reports_published_in_the_period(alice_client, alice):
    FindingFactory.create(report__body=alice.body, report__published_on=TODAY - 5 * DAY)
    FindingFactory.create(report__body=alice.body, report__published_on=TODAY - 50 * DAY)
    b = board(alice_client, f"?since={TODAY - 10 * DAY}")
    assert b.new_findings.value == 1
    assert list_count(alice_client, b.new_findings.url) == 1
    old_link = f"/findings/?created_since={TODAY - 10 * DAY}"
    assert list_count(alice_client, old_link) == 1


@pytest.mark.parametrize(
    ("url", "item"),
    [
        ("/findings/", "Findings"),
        ("/responses/", "Responses"),
        ("/reports/", "Reports"),
        ("/dashboard/", "Dashboard"),
    ],
)
def test_the_menu_highlights_exactly_one_item_with_aria_current_on_its_list(
    alice_client, url, item
):
    text = alice_client.get(url).text
    nav = text[text.index('id="navigation"') : text.index("</nav>")]
    assert nav.count("govuk-service-navigation__item--active") == 1
    assert re.search(rf'aria-current="page">{item}</a>', nav)
