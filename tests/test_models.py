from __future__ import annotations

import datetime as dt

import pytest

from inspections.models import (
    ActionStatus,
    FindingKind,
    Marking,
    ReportType,
    ResponseEntry,
    ResponseStatus,
    highest_marking,
)
from inspections.rules import Rag

from .factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    UpdateFactory,
    addressee,
)

pytestmark = pytest.mark.django_db


def test_a_response_is_due_55_days_after_the_report_is_published():
    response = ResponseFactory.create(report__published_on=dt.date(2023, 7, 20))
    assert response.due_on == dt.date(2023, 9, 13)
    assert response.days_left(dt.date(2023, 9, 13)) == 0
    assert not response.is_overdue(dt.date(2023, 9, 13))
    assert response.is_overdue(dt.date(2023, 9, 14))
    assert response.is_due_soon(dt.date(2023, 8, 30))  # rules.DUE_SOON_DAYS = 14 days left
    assert not response.is_due_soon(dt.date(2023, 8, 29))


def test_fire_and_rescue_reports_have_no_statutory_clock():
    response = ResponseFactory.create(report__report_type=ReportType.FIRE)
    assert response.due_on is None
    assert not response.is_overdue(dt.date(2099, 1, 1))


def test_a_published_or_settled_response_is_never_overdue():
    for status in (ResponseStatus.PUBLISHED, ResponseStatus.NO_RESPONSE_NEEDED):
        response = ResponseFactory.create(report__published_on=dt.date(2023, 1, 1), status=status)
        assert not response.is_overdue(dt.date(2024, 1, 1))


def test_publication_after_the_due_date_is_recorded_as_late():
    response = ResponseFactory.create(report__published_on=dt.date(2023, 7, 20))
    assert response.published_late is None
    response.published_on = dt.date(2023, 9, 13)
    assert response.published_late is False
    response.published_on = dt.date(2023, 9, 14)
    assert response.published_late is True


def test_a_response_is_complete_only_when_every_answerable_recommendation_has_an_entry():
    report = ReportFactory.create()
    chief = addressee("chief-constables", answerable=True)
    home_office = addressee("home-office", answerable=False)
    first = FindingFactory.create(report=report, reference="Recommendation 1", addressed_to=[chief])
    second = FindingFactory.create(
        report=report, reference="Recommendation 2", addressed_to=[chief]
    )
    FindingFactory.create(report=report, reference="Recommendation 3", addressed_to=[home_office])
    FindingFactory.create(
        report=report, kind=FindingKind.AREA_FOR_IMPROVEMENT, addressed_to=[chief]
    )
    response = ResponseFactory.create(report=report)

    assert [f.reference for f in response.missing_findings()] == [
        "Recommendation 1",
        "Recommendation 2",
    ]
    EntryFactory.create(response=response, finding=first)
    EntryFactory.create(
        response=response, finding=second, answer=ResponseEntry.Answer.NONE, text="   "
    )
    assert [f.reference for f in response.missing_findings()] == ["Recommendation 2"]
    assert not response.is_complete()

    ResponseEntry.objects.filter(finding=second).update(text="Already done in 2022.")
    assert response.is_complete()


def test_a_report_with_no_recommendations_for_the_force_needs_no_entries():
    report = ReportFactory.create()
    FindingFactory.create(
        report=report, addressed_to=[addressee("national-lead", answerable=False)]
    )
    assert ResponseFactory.create(report=report).is_complete()


def test_the_published_title_carries_the_month_and_year():
    report = ReportFactory.create(
        title="Management of terrorist offenders", published_on=dt.date(2023, 7, 20)
    )
    assert report.title_with_month == "Management of terrorist offenders (July 2023)"


def test_an_action_reports_its_rag_colour():
    action = ActionFactory.create(
        start_on=dt.date(2026, 1, 1), target_on=dt.date(2026, 4, 11), percent_complete=45
    )
    assert action.rag(dt.date(2026, 2, 20)) is Rag.GREEN
    action.status = ActionStatus.COMPLETE
    assert action.rag(dt.date(2027, 1, 1)) is Rag.BLUE


def test_a_progress_update_cannot_be_changed_or_deleted_once_written():
    update = UpdateFactory.create(text="First words")
    update.text = "Rewritten history"
    with pytest.raises(ValueError, match="kept as written"):
        update.save()
    with pytest.raises(ValueError, match="kept as written"):
        update.delete()
    update.refresh_from_db()
    assert update.text == "First words"


def test_every_change_to_a_response_is_kept_in_its_history():
    response = ResponseFactory.create(comments="First draft")
    response.comments = "Second draft"
    response.save()
    assert [h.comments for h in response.history.order_by("history_date")] == [
        "First draft",
        "Second draft",
    ]


def test_a_document_takes_the_highest_marking_of_its_contents():
    assert highest_marking(Marking.OFFICIAL, Marking.OFFICIAL) == Marking.OFFICIAL
    assert highest_marking(Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE) == (
        Marking.OFFICIAL_SENSITIVE
    )
