"""Where a rule runs both in Python (one record) and in SQL (lists and counts), the two are
held together here on the same rows: any disagreement fails."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from inspections.models import (
    ActionStatus,
    AssuranceAction,
    Finding,
    InspectorateStatus,
    Membership,
    ReportType,
    Response,
    ResponseStatus,
    Role,
)
from inspections.rules import DUE_SOON_DAYS

from .conftest import signed_in
from .factories import (
    BodyFactory,
    EntryFactory,
    FindingFactory,
    MembershipFactory,
    ReportFactory,
    ResponseFactory,
    addressee,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(("green", "amber"), [(10, 25), (0, 40), (5, 5)])
def test_the_rag_of_every_action_in_sql_is_the_rag_of_the_same_action_in_python(green, amber):
    body = BodyFactory.create(rag_green_points=green, rag_amber_points=amber)
    starts = [TODAY - dt.timedelta(days=d) for d in (-10, 0, 1, 10, 99, 100, 365)]
    spans = [0, 1, 10, 100, 200, 1000]
    percents = [0, 1, 5, 9, 10, 15, 24, 25, 26, 45, 63, 74, 75, 76, 89, 90, 91, 95, 99, 100]
    statuses = list(ActionStatus)
    AssuranceAction.objects.bulk_create(
        AssuranceAction(
            body=body,
            title="An action",
            start_on=start,
            target_on=start + dt.timedelta(days=span),
            percent_complete=percent,
            status=status,
        )
        for start, span, percent, status in itertools.product(starts, spans, percents, statuses)
    )
    actions = AssuranceAction.objects.filter(body=body)
    annotated = actions.with_rag(TODAY, body.rag_tolerances)
    in_sql = dict(annotated.values_list("pk", "rag_colour"))  # type: ignore[misc]
    assert len(in_sql) == len(starts) * len(spans) * len(percents) * len(statuses)
    disagreements = [
        (a.start_on, a.target_on, a.percent_complete, a.status, in_sql[a.pk], a.rag(TODAY))
        for a in actions
        if in_sql[a.pk] != a.rag(TODAY)
    ]
    assert disagreements == []
    # Every colour is reached, so the comparison above is not vacuous.
    colours = {"red", "green", "blue", "grey"} | ({"amber"} if green < amber else set())
    assert set(in_sql.values()) == colours


def test_the_response_querysets_agree_with_the_response_methods_on_the_same_rows():
    body = BodyFactory.create()
    for days_ago, report_type, status in itertools.product(
        (0, 10, 40, 41, 42, 55, 56, 70, 400),
        (ReportType.PEEL, ReportType.FIRE),
        (ResponseStatus.DRAFT, ResponseStatus.APPROVED, ResponseStatus.PUBLISHED),
    ):
        published = TODAY - dt.timedelta(days=days_ago)
        ResponseFactory.create(
            report=ReportFactory.create(body=body, report_type=report_type, published_on=published),
            status=status,
            published_on=TODAY - dt.timedelta(days=3)
            if status == ResponseStatus.PUBLISHED
            else None,
        )
    mine = Response.objects.filter(body=body)
    everything = list(mine.select_related("report"))

    def ids(rows):
        return {r.pk for r in rows}

    assert ids(mine.overdue(TODAY)) == ids(r for r in everything if r.is_overdue(TODAY))
    assert ids(mine.due_within(DUE_SOON_DAYS, TODAY)) == ids(
        r for r in everything if r.is_due_soon(TODAY)
    )
    assert ids(mine.published_on_time()) == ids(r for r in everything if r.published_late is False)
    assert mine.overdue(TODAY).exists()
    assert mine.due_within(DUE_SOON_DAYS, TODAY).exists()
    assert mine.published_on_time().exists()
    # No clock where the report has none (fire and rescue), in both.
    assert all(r.due_on is None for r in everything if r.report.report_type == ReportType.FIRE)


def test_open_findings_in_sql_are_the_open_findings_in_python():
    report = ReportFactory.create()
    for status, force, assured in itertools.product(
        InspectorateStatus, (None, TODAY), (None, TODAY)
    ):
        FindingFactory.create(
            report=report,
            inspectorate_status=status,
            force_complete_on=force,
            body_assured_on=assured,
        )
    findings = Finding.objects.filter(report=report)
    assert {f.pk for f in findings.open()} == {f.pk for f in findings if f.is_open()}
    assert {f.pk for f in findings.inspectorate_done()} == {
        f.pk for f in findings if f.inspectorate_complete
    }
    assert findings.open().exists()


def test_who_may_edit_is_the_same_rule_for_one_member_and_for_a_query():
    body = BodyFactory.create()
    for role in Role:
        MembershipFactory.create(body=body, role=role)
    members = Membership.objects.filter(body=body)
    assert {m.pk for m in members.editors()} == {m.pk for m in members if m.can_edit}
    assert {m.pk for m in members.approvers()} == {m.pk for m in members if m.can_approve}


def test_the_page_and_the_approval_agree_on_an_entry_with_an_empty_text(alice, pat):
    response = ResponseFactory.create(
        report__body=alice.body, status=ResponseStatus.READY_FOR_APPROVAL
    )
    finding = FindingFactory.create(
        report=response.report, reference="Recommendation 7", addressed_to=[addressee()]
    )
    EntryFactory.create(response=response, finding=finding, text="   ")

    page = signed_in(alice).get(f"/responses/{response.pk}/")
    assert "1 recommendation still needs an entry" in page.text
    assert f'href="#row-{finding.pk}">Recommendation 7</a>' in page.text

    refused = signed_in(pat).post(
        f"/responses/{response.pk}/workflow/approve/", {"version": str(response.version)}
    )
    assert refused.status_code == 409
    assert "Recommendation 7 still has no entry" in refused.text
    response.refresh_from_db()
    assert response.status == ResponseStatus.READY_FOR_APPROVAL
