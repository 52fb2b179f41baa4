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
    TargetChange,
)
from inspections.selectors import months_ago
from inspections.trends import Quarter

from .factories import (
    ActionFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    UpdateFactory,
    addressee,
)

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
    figures += [f for trend in b.trends for f in trend.figures()]
    figures += [f for row in b.by_report for f in (row.open_findings, row.red_actions)]
    figures += [*b.findings_by_level, *b.actions_by_level]
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
        # For the trends and the levels: findings assured, actions completed in past
        # quarters, a target moved after a quarter's end.
        FindingFactory.create(
            report=report,
            force_complete_on=TODAY - dt.timedelta(days=40 * n),
            body_assured_on=TODAY - dt.timedelta(days=40 * n),
            assurance_level=["substantial", "reasonable", "limited", "none", ""][n % 5],
        )
        done = ActionFactory.create(
            body=body,
            response=response,
            start_on=TODAY - dt.timedelta(days=60 * n + 100),
            target_on=TODAY - dt.timedelta(days=30 * n + 50),
            status=ActionStatus.COMPLETE,
            completed_on=TODAY - dt.timedelta(days=30 * n),
            percent_complete=100,
            assurance_level=["substantial", "", "limited"][n % 3],
        )
        moved(done, from_on=done.target_on - dt.timedelta(days=100), days_ago=20 * n)


def moved(action: AssuranceAction, *, from_on: dt.date, days_ago: int) -> None:
    """Records that the action's target moved to its present one `days_ago` days ago."""
    TargetChange.objects.create(
        action=action,
        from_on=from_on,
        to_on=action.target_on,
        reason="The force asked for more time.",
        changed_by=action.body.members.get(user__username="alice").user,
        changed_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.mark.parametrize(
    "query", ["", f"?type=peel&published_from=2020-01-01&due_before={TODAY + 4 * DAY}"]
)
def test_every_figure_opens_a_list_whose_count_equals_it(alice_client, alice, query):
    build_data(alice.body, 12)
    b = board(alice_client, query)
    figures = all_figures(b)
    assert len(figures) >= 100
    assert sum(f.value for f in figures if "completed=" in f.url) > 0
    assert sum(f.value for f in figures if "overdue_at=" in f.url) > 0
    assert sum(f.value for f in figures if "closed=" in f.url) > 0
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
    assert re.search(rf'aria-current="page"><strong [^>]*>{item}</strong></a>', nav)


# --- Trends, quarter by quarter ------------------------------------------------------------

QUARTERS = Quarter.last(TODAY)
THIS, LAST = QUARTERS[-1], QUARTERS[-2]


def trend(b, chart_id: str):
    return next(t for t in b.trends if t.id == chart_id)


def column(t, header: str) -> list[int]:
    index = [str(h) for h in t.headers].index(header)
    return [row[index].value for row in t.rows]


class TestQuarters:
    def test_quarters_are_calendar_quarters_labelled_by_their_months(self):
        q = Quarter.of(dt.date(2026, 5, 17))
        assert (q.key, q.first_day, q.last_day) == (
            "2026-Q2",
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
        )
        assert (q.label, q.short) == ("April to June 2026", "Apr")
        assert Quarter.parse("2025-Q4").shifted(1) == Quarter(2026, 1)
        assert [x.key for x in Quarter.last(dt.date(2026, 2, 1), 3)] == [
            "2025-Q3",
            "2025-Q4",
            "2026-Q1",
        ]
        assert Quarter(2026, 4).end(dt.date(2026, 11, 5)) == dt.date(2026, 11, 5)

    @pytest.mark.parametrize("key", ["2026-Q5", "2026Q1", "26-Q1", "", "1900-Q1"])
    def test_anything_else_is_not_a_quarter(self, key):
        with pytest.raises(ValueError, match="Not a quarter"):
            Quarter.parse(key)


class TestTrends:
    def test_findings_open_by_report_publication_and_close_by_the_bodys_assurance(
        self, alice_client, alice
    ):
        this_quarter = ReportFactory.create(body=alice.body, published_on=THIS.first_day)
        last_quarter = ReportFactory.create(body=alice.body, published_on=LAST.last_day)
        FindingFactory.create(report=this_quarter)
        FindingFactory.create(report=this_quarter, kind="innovative_practice")  # nothing to do
        FindingFactory.create(  # addressed only to others: not the force's work
            report=this_quarter, addressed_to=[addressee("home-office", answerable=False)]
        )
        FindingFactory.create(report=last_quarter, body_assured_on=THIS.first_day)
        FindingFactory.create(  # the force's word alone does not close it
            report=last_quarter, force_complete_on=THIS.first_day
        )
        t = trend(board(alice_client), "trend-findings")
        assert column(t, "Opened")[-2:] == [2, 1]
        assert column(t, "Closed (body assured)")[-2:] == [0, 1]
        assert t.periods[-1] == THIS.label
        for figure in t.figures():
            assert list_count(alice_client, figure.url) == figure.value, figure.url

    def test_actions_open_by_start_and_complete_by_completion_date(self, alice_client, alice):
        ActionFactory.create(body=alice.body, start_on=LAST.first_day, target_on=TODAY + DAY)
        ActionFactory.create(  # starts later this quarter: not opened yet
            body=alice.body, start_on=TODAY + DAY, target_on=TODAY + 9 * DAY
        )
        ActionFactory.create(
            body=alice.body,
            start_on=LAST.first_day,
            target_on=LAST.last_day,
            status=ActionStatus.COMPLETE,
            completed_on=THIS.first_day,
        )
        t = trend(board(alice_client), "trend-actions")
        assert column(t, "Opened (started)")[-2:] == [2, 0]
        assert column(t, "Completed")[-2:] == [0, 1]

    def test_overdue_at_a_quarters_end_counts_the_target_then_in_force(self, alice_client, alice):
        # Due in the middle of last quarter and still open: overdue at its end and now.
        ActionFactory.create(
            body=alice.body, start_on=LAST.first_day, target_on=LAST.first_day + 10 * DAY
        )
        # Was due last quarter, moved this quarter to next year: overdue at last quarter's
        # end, not now.
        slipped = ActionFactory.create(
            body=alice.body, start_on=LAST.first_day, target_on=TODAY + 400 * DAY
        )
        moved(slipped, from_on=LAST.first_day + 20 * DAY, days_ago=(TODAY - THIS.first_day).days)
        # Was overdue at last quarter's end, completed since.
        ActionFactory.create(
            body=alice.body,
            start_on=LAST.first_day,
            target_on=LAST.first_day + 5 * DAY,
            status=ActionStatus.COMPLETE,
            completed_on=THIS.first_day,
        )
        # Not adopted: never overdue.
        ActionFactory.create(
            body=alice.body,
            start_on=LAST.first_day,
            target_on=LAST.first_day + 5 * DAY,
            status=ActionStatus.NOT_ADOPTED,
        )
        b = board(alice_client)
        t = trend(b, "trend-actions")
        assert column(t, "Overdue at the quarter's end")[-2:] == [3, 1]
        # Today's figure is the actions list's "Overdue", whatever the quarter.
        assert column(t, "Overdue at the quarter's end")[-1] == list_count(
            alice_client, "/actions/?due=overdue"
        )
        for figure in t.figures():
            assert list_count(alice_client, figure.url) == figure.value, figure.url

    def test_the_share_published_on_time_is_given_year_by_year(self, alice_client, alice):
        def published(year: int, late: bool) -> None:
            report_on = dt.date(year, 3, 1)
            ResponseFactory.create(
                report__body=alice.body,
                report__published_on=report_on,
                published_on=report_on + dt.timedelta(days=56 if late else 50),
                status=ResponseStatus.PUBLISHED,
            )

        last_year = TODAY.year - 1
        published(last_year, late=False)
        published(last_year, late=False)
        published(last_year, late=True)
        t = trend(board(alice_client), "trend-on-time")
        assert t.lines[0].values[-2:] == [67, None]
        assert t.rows[-2][2] == "67%"
        assert t.periods[-1] == f"{TODAY.year} (to date)"
        assert column(t, "Published")[-2:] == [3, 0]
        assert column(t, "On time")[-2:] == [2, 0]
        for figure in t.figures():
            assert list_count(alice_client, figure.url) == figure.value, figure.url

    def test_trends_keep_to_the_dashboards_filters(self, alice_client, alice):
        peel = ReportFactory.create(
            body=alice.body, report_type=ReportType.PEEL, published_on=THIS.first_day
        )
        other = ReportFactory.create(body=alice.body, published_on=THIS.first_day)
        FindingFactory.create(report=peel)
        FindingFactory.create(report=other)
        this_quarter = {"start_on": THIS.first_day, "target_on": TODAY + 30 * DAY}
        ActionFactory.create(body=alice.body, **this_quarter).findings.add(
            FindingFactory.create(report=peel)
        )
        ActionFactory.create(body=alice.body, **this_quarter)  # of no report
        b = board(alice_client, "?type=peel")
        assert column(trend(b, "trend-findings"), "Opened")[-1] == 2
        assert column(trend(b, "trend-actions"), "Opened (started)")[-1] == 1
        assert all("type=peel" in f.url for t in b.trends for f in t.figures())

    def test_each_trend_is_an_svg_with_a_title_a_description_and_its_table_in_details(
        self, alice_client, alice
    ):
        ActionFactory.create(body=alice.body, start_on=THIS.first_day, target_on=TODAY + DAY)
        page = alice_client.get("/dashboard/").text
        for chart_id, title in (
            ("trend-findings", "Findings opened and closed, quarter by quarter"),
            ("trend-actions", "Actions opened, completed and overdue, quarter by quarter"),
            ("trend-on-time", "Responses published on time, year by year"),
        ):
            start = page.index(f'<figure class="app-chart app-trend" id="{chart_id}">')
            figure = page[start : page.index("</figure>", start)]
            assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in figure
            assert f'<title id="{chart_id}-title">{title}</title>' in figure
            assert f'<desc id="{chart_id}-desc">From ' in figure
            assert figure.index("<details") < figure.index("<table") < figure.index("</details>")
            assert f"{title}: the figures" in figure
        assert (
            'id="trend-actions-desc">From January to March' in page or "Opened (started): " in page
        )

    def test_an_older_quarter_from_a_link_is_still_applied_and_offered(self, alice_client, alice):
        ActionFactory.create(
            body=alice.body, start_on=dt.date(2019, 2, 1), target_on=dt.date(2019, 5, 1)
        )
        ActionFactory.create(
            body=alice.body, start_on=dt.date(2019, 5, 1), target_on=dt.date(2019, 9, 1)
        )
        page = alice_client.get("/actions/?opened=2019-Q1")
        assert page.context["page"].paginator.count == 1
        assert '<option value="2019-Q1" selected>January to March 2019</option>' in page.text
        wrong = alice_client.get("/actions/?opened=2019-Q7")
        assert wrong.status_code == 200
        assert wrong.context["page"].paginator.count == 2  # an invalid filter is left out


# --- Breakdowns: by report and by assurance level ----------------------------------------


def test_each_report_shows_its_open_findings_and_red_actions_linking_to_those_lists(
    alice_client, alice
):
    busy = ReportFactory.create(body=alice.body, title="Busy report")
    quiet = ReportFactory.create(body=alice.body, title="Quiet report")
    ReportFactory.create(body=alice.body, title="Done report")
    first, second = FindingFactory.create(report=busy), FindingFactory.create(report=busy)
    FindingFactory.create(report=busy, body_assured_on=TODAY)  # closed
    FindingFactory.create(report=busy, kind="innovative_practice")  # nothing to do
    FindingFactory.create(report=quiet)
    late = {"start_on": TODAY - 60 * DAY, "target_on": TODAY - DAY}
    red = ActionFactory.create(body=alice.body, **late)
    red.findings.add(first, second)  # one action serving two findings counts once
    ActionFactory.create(body=alice.body, response=ResponseFactory.create(report=busy), **late)
    ActionFactory.create(  # green
        body=alice.body, start_on=TODAY - DAY, target_on=TODAY + 90 * DAY
    ).findings.add(first)
    rows = board(alice_client).by_report
    assert [(r.report.title, r.open_findings.value, r.red_actions.value) for r in rows] == [
        ("Busy report", 2, 2),
        ("Quiet report", 1, 0),
    ]
    for row in rows:
        for figure in (row.open_findings, row.red_actions):
            assert list_count(alice_client, figure.url) == figure.value, figure.url
    page = alice_client.get("/dashboard/").text
    assert 'data-figure-table="by-report"' in page
    assert page.count('data-figure="report-red-actions"') == 2


def test_the_spread_of_assurance_levels_links_to_each_list(alice_client, alice):
    report = ReportFactory.create(body=alice.body)
    for level in ("substantial", "substantial", "limited", ""):
        FindingFactory.create(report=report, body_assured_on=TODAY, assurance_level=level)
    FindingFactory.create(report=report, assurance_level="none")  # not assured: left out
    for level in ("reasonable", ""):
        ActionFactory.create(body=alice.body, status=ActionStatus.COMPLETE, assurance_level=level)
    ActionFactory.create(body=alice.body, assurance_level="limited")  # open: left out
    b = board(alice_client)
    assert [(str(f.label), f.value) for f in b.findings_by_level] == [
        ("Substantial", 2),
        ("Reasonable", 0),
        ("Limited", 1),
        ("No assurance", 0),
        ("Not recorded", 1),
    ]
    assert [f.value for f in b.actions_by_level] == [0, 1, 0, 0, 1]
    for figure in [*b.findings_by_level, *b.actions_by_level]:
        assert list_count(alice_client, figure.url) == figure.value, figure.url
    page = alice_client.get("/dashboard/").text
    assert '<title id="chart-finding-levels-title">Findings by assurance level</title>' in page


def test_the_dashboard_has_a_ceiling_on_its_queries(
    alice_client, alice, django_assert_max_num_queries
):
    build_data(alice.body, 20)
    # Signed in (3), the meetings (2), the figures (23), the filter form (1).
    with django_assert_max_num_queries(29):
        assert alice_client.get("/dashboard/").status_code == 200


def test_another_bodys_report_is_neither_offered_nor_applied_as_a_filter(olly_client, alice, olly):
    theirs = ReportFactory.create(body=alice.body, title="Hampshire's own report")
    FindingFactory.create(report=theirs)
    FindingFactory.create(report__body=olly.body, reference="Olly's finding")
    findings = olly_client.get(f"/findings/?report={theirs.pk}")
    assert [f.reference for f in findings.context["page"].object_list] == ["Olly's finding"]
    actions = olly_client.get(f"/actions/?report={theirs.pk}")
    assert "report" in actions.context["filters"].errors
    for page in (findings, actions):
        assert "Hampshire's own report" not in page.text
