"""Dates the record can trust (issue 10, item 6): entered with the GOV.UK date input,
inside a sensible window on every date field, in the order the s55 steps happen, with
defaults that always pass, and no date, however far off, that breaks a page."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.utils import timezone

import inspections.forms
from inspections import validation
from inspections.forms.util import DateField, DateInput
from inspections.forms.workflow import RequestCommentsForm
from inspections.models import ReportType, Response, ResponseStatus
from inspections.rules import statutory_due_date

from .factories import (
    ActionFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    inspectorate,
    response_data,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def form_classes() -> list[type[forms.BaseForm]]:
    """Every form class defined in the modules of inspections.forms."""
    found = []
    for info in pkgutil.iter_modules(inspections.forms.__path__):
        module = importlib.import_module(f"inspections.forms.{info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found.append(value)
    return found


def date_fields() -> list[tuple[str, forms.DateField]]:
    return [
        (f"{form.__name__}.{name}", field)
        for form in form_classes()
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.DateField)
    ]


def post_transition(client, response: Response, step: str, **data: str):
    version = str(Response.objects.get(pk=response.pk).version)
    return client.post(f"/responses/{response.pk}/workflow/{step}/", {"version": version} | data)


# --- No date breaks a page -----------------------------------------------------------------


class TestDatesAtTheEndsOfTheCalendar:
    @pytest.mark.parametrize(
        "published", [dt.date(9999, 11, 7), dt.date(9999, 12, 31), dt.date(1, 1, 1)]
    )
    def test_a_report_stored_with_a_far_date_still_renders_everywhere(
        self, alice, alice_client, published
    ):
        # Saved directly, as data from before forms refused such dates would be.
        report = ReportFactory.create(
            body=alice.body, published_on=published, report_type=ReportType.PEEL
        )
        response = ResponseFactory.create(report=report)
        action = ActionFactory.create(
            body=alice.body, start_on=published, target_on=published, response=response
        )
        action.findings.add(FindingFactory.create(report=report))
        for url in (
            "/reports/",
            f"/reports/{report.pk}/",
            f"/reports/{report.pk}/pdf/",
            f"/responses/{response.pk}/",
            f"/responses/{response.pk}/pdf/",
            "/responses/",
            "/actions/",
            f"/actions/{action.pk}/",
            "/dashboard/",
            "/",
        ):
            assert alice_client.get(url).status_code == 200, url

    def test_the_due_date_stops_at_the_last_day_of_the_calendar(self):
        assert statutory_due_date(dt.date(9999, 11, 7)) == dt.date.max
        assert statutory_due_date(dt.date(2023, 7, 20)) == dt.date(2023, 9, 13)

    @pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
    @pytest.mark.parametrize(
        "url",
        [
            "/dashboard/?since=",
            "/dashboard/?published_from=",
            "/reports/?published_to=",
            "/responses/?published_from=",
            "/findings/?created_since=",
            "/actions/?updated_since=",
        ],
    )
    def test_a_far_date_in_a_filter_is_refused_with_a_message(self, alice_client, url, value):
        page = alice_client.get(url + value)
        assert page.status_code == 200
        assert "must be between 1 January 1990 and" in page.text


# --- The window, on every date field -------------------------------------------------------


class TestTheWindow:
    def test_every_date_field_in_the_app_uses_the_govuk_date_input(self):
        fields = date_fields()
        assert len(fields) >= 20  # reports, findings, actions, responses, workflow, filters
        for name, field in fields:
            assert type(field) is DateField, name
            assert isinstance(field.widget, DateInput), name

    @pytest.mark.parametrize(
        "parts", [["7", "11", "9999"], ["1", "1", "0001"], ["31", "12", "1989"]]
    )
    def test_every_date_field_refuses_a_date_outside_the_window(self, parts):
        for name, field in date_fields():
            with pytest.raises(forms.ValidationError) as refused:
                field.clean(parts)
            assert refused.value.code == "window", name
            assert "must be between 1 January 1990 and" in refused.value.messages[0], name

    def test_the_window_runs_from_1990_to_ten_years_ahead(self):
        today = dt.date(2026, 3, 14)
        assert validation.in_date_window(dt.date(1990, 1, 1), today=today)
        assert not validation.in_date_window(dt.date(1989, 12, 31), today=today)
        assert validation.in_date_window(dt.date(2036, 3, 14), today=today)
        assert not validation.in_date_window(dt.date(2036, 3, 15), today=today)
        assert validation.latest_date(dt.date(2028, 2, 29)) == dt.date(2038, 2, 28)
        problems = validation.date_window_problems(
            {"start_on": dt.date(9999, 11, 7), "target_on": dt.date(2027, 1, 1)}, today=today
        )
        assert [name for name, _message in problems] == ["start_on"]

    def test_a_report_published_in_9999_is_refused_with_a_clear_message(self, alice_client):
        page = alice_client.post("/reports/new/", report_data(published_on="9999-11-07"))
        assert page.status_code == 422
        assert "The publication date must be between 1 January 1990 and" in page.text

    def test_an_action_starting_in_year_1_is_refused(self, alice_client):
        data = action_data(**{"start_on-day": "1", "start_on-month": "1", "start_on-year": "0001"})
        page = alice_client.post("/actions/new/", data)
        assert page.status_code == 422
        assert "The start date must be between 1 January 1990 and" in page.text

    def test_a_finding_deadline_in_9999_is_refused(self, alice, alice_client):
        report = ReportFactory.create(body=alice.body)
        data = {"kind": "recommendation", "reference": "R1", "text": "Do it."}
        page = alice_client.post(
            f"/reports/{report.pk}/findings/new/", data | {"deadline": "9999-01-01"}
        )
        assert page.status_code == 422
        assert "The deadline must be between 1 January 1990 and" in page.text


# --- The GOV.UK date input -----------------------------------------------------------------


def report_data(**overrides: str) -> dict[str, str]:
    return {
        "title": "An inspection of call handling",
        "reference": "",
        "report_type": "peel",
        "lead_inspectorate": str(inspectorate().pk),
        "published_on": "2026-01-05",
        "url": "",
        "scope": "national",
        "summary": "",
        "marking": "official",
    } | overrides


def action_data(**overrides: str) -> dict[str, str]:
    return {
        "title": "Check the vetting backlog",
        "start_on": "2026-01-05",
        "target_on": "2026-06-30",
        "status": "in_progress",
        "percent_complete": "20",
    } | overrides


def parts(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, name
    return match.group(0)


class TestTheDateInput:
    def test_it_is_three_boxes_in_a_fieldset_with_a_legend(self, alice_client):
        html = alice_client.get("/reports/new/").text
        assert 'type="date"' not in html
        assert "bday" not in html
        fieldset = re.search(
            r'<fieldset class="govuk-fieldset" role="group"'
            r' aria-describedby="id_published_on_helptext">'
            r'\s*<legend class="govuk-fieldset__legend[^"]*">Publication date</legend>',
            html,
        )
        assert fieldset
        assert 'class="govuk-date-input" id="id_published_on"' in html
        for part, label, width in (
            ("day", "Day", 2),
            ("month", "Month", 2),
            ("year", "Year", 4),
        ):
            tag = input_tag(html, f"published_on-{part}")
            assert f'id="id_published_on-{part}"' in tag
            assert 'type="text"' in tag
            assert 'inputmode="numeric"' in tag
            assert f"govuk-date-input__input govuk-input--width-{width}" in tag
            assert (
                f'<label class="govuk-label govuk-date-input__label" for="id_published_on-{part}">'
                f"{label}</label>" in html
            )
        assert "For example, 27 3 2026" in html

    def test_the_three_boxes_are_stored_as_one_date(self, alice, alice_client):
        data = report_data() | parts("published_on", "2", "11", "2026")
        del data["published_on"]
        assert alice_client.post("/reports/new/", data).status_code == 302
        assert alice.body.reports.get().published_on == dt.date(2026, 11, 2)

    def test_the_boxes_win_over_an_iso_date_under_the_plain_name(self, alice, alice_client):
        data = report_data(published_on="2020-01-01") | parts("published_on", "02", "03", "2026")
        assert alice_client.post("/reports/new/", data).status_code == 302
        assert alice.body.reports.get().published_on == dt.date(2026, 3, 2)

    def test_a_link_with_an_iso_date_fills_the_boxes(self, alice_client):
        html = alice_client.get("/reports/?published_from=2024-01-09").text
        assert 'value="9"' in input_tag(html, "published_from-day")
        assert 'value="1"' in input_tag(html, "published_from-month")
        assert 'value="2024"' in input_tag(html, "published_from-year")

    @pytest.mark.parametrize(
        ("day", "month", "year", "message", "wrong"),
        [
            ("31", "2", "2026", "The publication date must be a real date.", ["day"]),
            ("1", "13", "2026", "The publication date must be a real date.", ["month"]),
            ("1", "two", "2026", "The publication date must be a real date.", ["month"]),
            (
                "1",
                "2",
                "26",
                "The year of the publication date must include 4 numbers.",
                ["year"],
            ),
            ("1", "", "2026", "The publication date must include a month.", ["month"]),
            ("", "2", "", "The publication date must include a day and year.", ["day", "year"]),
            ("", "", "", "Enter the publication date.", ["day", "month", "year"]),
        ],
    )
    def test_each_mistake_has_its_own_message_and_marks_its_boxes(
        self, alice_client, day, month, year, message, wrong
    ):
        data = report_data() | parts("published_on", day, month, year)
        del data["published_on"]
        page = alice_client.post("/reports/new/", data)
        assert page.status_code == 422
        html = page.text
        assert f'<a href="#id_published_on-{wrong[0]}">{message}</a>' in html
        assert (
            'id="id_published_on_error"><span class="govuk-visually-hidden">Error:</span> '
            f"{message}</p>" in html
        )
        assert 'aria-describedby="id_published_on_helptext id_published_on_error"' in html
        for part, typed in (("day", day), ("month", month), ("year", year)):
            tag = input_tag(html, f"published_on-{part}")
            assert ("govuk-input--error" in tag) == (part in wrong), part
            if typed:
                assert f'value="{typed}"' in tag  # the user's text is kept

    def test_an_error_about_the_whole_date_marks_all_three_boxes(self, alice_client):
        data = action_data(start_on="2026-06-01", target_on="2026-05-01")
        html = alice_client.post("/actions/new/", data).text
        assert (
            '<a href="#id_target_on-day">The target date cannot be before the start date.</a>'
            in html
        )
        for part in ("day", "month", "year"):
            assert "govuk-input--error" in input_tag(html, f"target_on-{part}")
            assert "govuk-input--error" not in input_tag(html, f"start_on-{part}")


# --- The s55 dates agree with each other ----------------------------------------------------


@pytest.fixture
def draft(alice) -> Response:
    """A response to a report published on 20 July 2023: due on 13 September 2023."""
    return ResponseFactory.create(
        report__body=alice.body,
        report__published_on=dt.date(2023, 7, 20),
        report__report_type=ReportType.PEEL,
    )


class TestTheResponseDates:
    def test_the_chief_officer_cannot_be_invited_before_the_report_was_published(
        self, alice_client, draft
    ):
        page = post_transition(
            alice_client,
            draft,
            "request-comments",
            chief_invited_on="2023-07-19",
            chief_reply_by="2023-08-20",
        )
        assert page.status_code == 422
        assert (
            "The chief officer cannot be invited before the report was published on "
            "20 July 2023." in page.text
        )

    @pytest.mark.parametrize("reply_by", ["2023-07-25", "2023-07-24"])
    def test_the_reply_by_date_comes_after_the_invitation(self, alice_client, draft, reply_by):
        page = post_transition(
            alice_client,
            draft,
            "request-comments",
            chief_invited_on="2023-07-25",
            chief_reply_by=reply_by,
        )
        assert page.status_code == 422
        assert "The reply-by date must be after the invitation on 25 July 2023." in page.text

    def test_comments_cannot_arrive_before_the_invitation(self, alice_client, draft):
        Response.objects.filter(pk=draft.pk).update(
            status=ResponseStatus.COMMENTS_REQUESTED, chief_invited_on=dt.date(2023, 7, 25)
        )
        page = post_transition(
            alice_client,
            draft,
            "record-comments",
            chief_comments_received_on="2023-07-21",
            chief_comments="Accepted.",
        )
        assert page.status_code == 422
        assert (
            "The comments cannot be received before the chief officer was invited on "
            "25 July 2023." in page.text
        )

    def test_the_edit_form_checks_the_same_order(self, alice_client, draft):
        data = response_data(
            draft,
            chief_invited_on="2023-07-01",
            chief_reply_by="2023-08-01",
            chief_comments_received_on="2023-06-30",
        )
        page = alice_client.post(f"/responses/{draft.pk}/edit/", data)
        assert page.status_code == 422
        assert "cannot be invited before the report was published on 20 July 2023." in page.text
        assert "cannot be received before the chief officer was invited on 1 July 2023" in page.text

    def test_a_reply_by_date_after_the_due_date_is_allowed_with_a_warning(
        self, alice_client, draft
    ):
        page = post_transition(
            alice_client,
            draft,
            "request-comments",
            chief_invited_on="2023-07-25",
            chief_reply_by="2023-09-20",
        )
        assert page.status_code == 302
        draft.refresh_from_db()
        assert draft.chief_reply_by == dt.date(2023, 9, 20)
        shown = alice_client.get(page["Location"]).text
        assert "The reply-by date is after the statutory due date, 13 September 2023." in shown

    def test_the_reply_by_hint_names_the_due_date(self, alice_client, draft):
        page = alice_client.get(f"/responses/{draft.pk}/workflow/request-comments/")
        assert "The response is due by 13 September 2023." in page.text

    def test_the_invitation_defaults_pass_on_an_overdue_response(self, alice_client, draft):
        form = RequestCommentsForm(response=draft)
        invited, reply_by = form.initial["chief_invited_on"], form.initial["chief_reply_by"]
        assert invited == TODAY
        assert reply_by == TODAY + dt.timedelta(days=7)
        page = post_transition(
            alice_client,
            draft,
            "request-comments",
            chief_invited_on=invited.isoformat(),
            chief_reply_by=reply_by.isoformat(),
        )
        assert page.status_code == 302

    def test_the_invitation_defaults_leave_three_weeks_before_a_distant_due_date(self):
        due = TODAY + dt.timedelta(days=50)
        assert validation.default_reply_by(invited_on=TODAY, due_on=due) == TODAY + dt.timedelta(
            days=29
        )
        assert validation.default_reply_by(invited_on=TODAY, due_on=None) == TODAY + dt.timedelta(
            days=28
        )


class TestTheDateRules:
    def test_they_report_each_problem_against_its_field(self):
        problems = validation.response_date_problems(
            report_published_on=dt.date(2023, 7, 20),
            chief_invited_on=dt.date(2023, 7, 19),
            chief_reply_by=dt.date(2023, 7, 19),
            chief_comments_received_on=dt.date(2023, 7, 18),
        )
        assert [name for name, _message in problems] == [
            "chief_invited_on",
            "chief_reply_by",
            "chief_comments_received_on",
        ]

    def test_dates_in_order_have_no_problems(self):
        assert not validation.response_date_problems(
            report_published_on=dt.date(2023, 7, 20),
            chief_invited_on=dt.date(2023, 7, 20),
            chief_reply_by=dt.date(2023, 7, 21),
            chief_comments_received_on=dt.date(2023, 7, 20),
        )

    def test_comments_need_the_report_even_without_an_invitation_date(self):
        problems = validation.response_date_problems(
            report_published_on=dt.date(2023, 7, 20),
            chief_comments_received_on=dt.date(2023, 7, 1),
        )
        assert problems == [
            (
                "chief_comments_received_on",
                "The comments cannot be received before the report was published on 20 July 2023.",
            )
        ]

    def test_a_late_reply_by_date_is_a_warning_naming_the_due_date(self):
        assert validation.reply_by_warnings(
            chief_reply_by=dt.date(2023, 9, 14), due_on=dt.date(2023, 9, 13)
        ) == [
            (
                "chief_reply_by",
                "The reply-by date is after the statutory due date, 13 September 2023.",
            )
        ]
        assert not validation.reply_by_warnings(
            chief_reply_by=dt.date(2023, 9, 13), due_on=dt.date(2023, 9, 13)
        )
        assert not validation.reply_by_warnings(chief_reply_by=dt.date(2023, 9, 14), due_on=None)


class TestFiltersForwardedAsParameters:
    def test_dates_typed_in_boxes_become_iso_parameters(self, db):
        from inspections.forms.scope import DashboardForm

        form = DashboardForm(
            {"type": "peel"}
            | parts("published_from", "9", "1", "2024")
            | parts("since", "", "", "")
        )
        assert form.is_valid(), form.errors
        assert form.scope_params() == {"type": "peel", "published_from": "2024-01-09"}
