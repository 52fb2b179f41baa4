from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from inspections.datafiles.demo import demo_set
from inspections.management.commands.generate_scale_data import Command
from inspections.models import (
    ActionStatus,
    AssuranceAction,
    Finding,
    FindingKind,
    InspectionReport,
    Membership,
    PeelGrade,
    PolicingBody,
    ProgressUpdate,
    Response,
    ResponseEntry,
    ResponseStatus,
    Role,
    TargetChange,
)
from inspections.rules import Rag
from inspections.scale_data import (
    FULL_SIZE,
    ScaleDataExists,
    Totals,
    allocate,
    delete_scale_data,
    generate_scale_data,
    totals_for,
    unreserved,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
SCALE = 0.01

HISTORY_MODELS = [InspectionReport, Finding, PeelGrade, Response, ResponseEntry, AssuranceAction]


def generate(*args: str, scale: float = SCALE) -> str:
    out = io.StringIO()
    call_command(
        "generate_scale_data",
        "--scale",
        str(scale),
        "--today",
        TODAY.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def scale_data() -> str:
    return generate()


def scale_reports() -> Any:
    return InspectionReport.objects.filter(reference__startswith="SCALE-")


def scale_actions() -> Any:
    return AssuranceAction.objects.filter(findings__report__in=scale_reports()).distinct()


def row_counts() -> dict[str, int]:
    models = [User, Membership, *HISTORY_MODELS, ProgressUpdate]
    counts = {m.__name__: m._default_manager.count() for m in models}
    counts |= {f"history of {m.__name__}": m.history.count() for m in HISTORY_MODELS}  # type: ignore[attr-defined]
    return counts


def snapshot() -> str:
    """A digest of the generated rows in a stable order, with foreign keys written as
    natural keys (or, for actions, their rank in insertion order): primary keys differ
    between runs, the data must not."""
    reports = scale_reports()
    rows: list[Any] = [
        reports.order_by("reference").values_list(
            "reference", "body__slug", "title", "report_type", "lead_inspectorate__code",
            "published_on", "scope", "marking", "summary",
        ),
        InspectionReport.partner_inspectorates.through.objects.filter(
            inspectionreport__in=reports
        )
        .order_by("inspectionreport__reference", "inspectorate__code")
        .values_list("inspectionreport__reference", "inspectorate__code"),
        InspectionReport.forces.through.objects.filter(inspectionreport__in=reports)
        .order_by("inspectionreport__reference")
        .values_list("inspectionreport__reference", "force__slug"),
        PeelGrade.objects.filter(report__in=reports)
        .order_by("report__reference", "position")
        .values_list("report__reference", "position", "area", "grade"),
        Finding.objects.filter(report__in=reports)
        .order_by("report__reference", "position")
        .values_list(
            "report__reference", "position", "kind", "reference", "text",
            "cause_of_concern__reference", "deadline_text", "deadline", "inspectorate_status",
            "force_complete_on", "body_assured_on", "assurance_level",
        ),
        Finding.addressees.through.objects.filter(finding__report__in=reports)
        .order_by("finding__report__reference", "finding__position", "addressee__code")
        .values_list("finding__report__reference", "finding__position", "addressee__code"),
        Response.objects.filter(report__in=reports)
        .order_by("report__reference")
        .values_list(
            "report__reference", "body__slug", "status", "chief_invited_on", "chief_reply_by",
            "chief_comments_received_on", "chief_comments", "chief_comments_reply",
            "comments", "closing_line", "signatory_name", "signatory_role",
            "no_response_reason", "approved_by__username", "approved_at", "published_on",
            "published_url", "copy_to_inspectorate_on", "copy_to_home_secretary_on", "marking",
        ),
        ResponseEntry.objects.filter(response__report__in=reports)
        .order_by("response__report__reference", "finding__position")
        .values_list("response__report__reference", "finding__position", "answer", "text"),
        User.objects.filter(username__startswith="scale-")
        .order_by("username")
        .values_list(
            "username", "first_name", "last_name", "email", "membership__body__slug",
            "membership__role", "membership__job_title",
        ),
    ]  # fmt: skip
    actions = scale_actions().order_by("pk")
    rank = {pk: n for n, pk in enumerate(actions.values_list("pk", flat=True))}
    rows.append(
        actions.values_list(
            "body__slug", "title", "description", "owner__username", "force_lead", "start_on",
            "target_on", "percent_complete", "status", "completed_on", "assurance_level",
            "assurance_evidence", "forum", "response__report__reference",
            "original_target_on", "slip_count",
        )
    )  # fmt: skip
    moves = TargetChange.objects.filter(action__in=actions).order_by("action_id", "changed_at")
    rows.append(
        [
            (rank[a], *rest)
            for a, *rest in moves.values_list(
                "action_id", "from_on", "to_on", "reason", "changed_by__username", "changed_at"
            )
        ]
    )
    links = AssuranceAction.findings.through.objects.filter(assuranceaction__in=actions)
    rows.append(
        sorted(
            (rank[a], ref, position)
            for a, ref, position in links.values_list(
                "assuranceaction_id", "finding__report__reference", "finding__position"
            )
        )
    )
    updates = ProgressUpdate.objects.filter(action__in=actions).order_by("pk")
    rows.append(
        [
            (rank[a], *rest)
            for a, *rest in updates.values_list(
                "action_id",
                "author__username",
                "written_at",
                "text",
                "percent_complete",
                "status",
            )
        ]
    )
    text = repr([list(r) for r in rows])
    return hashlib.sha256(text.encode()).hexdigest()


def test_every_body_gets_users_reports_findings_responses_actions_and_updates(scale_data):
    bodies = set(PolicingBody.objects.values_list("pk", flat=True))
    assert len(bodies) == 43
    reports = scale_reports()
    assert set(reports.values_list("body", flat=True)) == bodies
    assert (
        set(Finding.objects.filter(report__in=reports).values_list("report__body", flat=True))
        == bodies
    )
    assert set(Response.objects.filter(report__in=reports).values_list("body", flat=True)) == bodies
    assert set(scale_actions().values_list("body", flat=True)) == bodies
    updated = ProgressUpdate.objects.filter(action__in=scale_actions()).values_list("action__body")
    assert {pk for (pk,) in updated} == bodies
    members = Membership.objects.filter(user__username__startswith="scale-")
    assert sorted(members.values_list("role", flat=True)) == sorted(list(Role) * 43)
    assert not any(
        u.has_usable_password() for u in User.objects.filter(username__startswith="scale-")
    )
    assert set(members.values_list("body", flat=True)) == bodies
    editor = User.objects.get(username="scale-hampshire-and-isle-of-wight-editor")
    assert editor.membership.body.force.name == "Hampshire and Isle of Wight Constabulary"


def test_it_reports_each_phase_with_counts_and_the_total_time(scale_data):
    assert "Reference data: 43 policing bodies" in scale_data
    assert "Users: 172" in scale_data  # one per role (four) per body (43)
    assert "[43/43]" in scale_data
    assert "200 findings" in scale_data
    assert "2,000 progress updates for 43 bodies in " in scale_data


def test_row_counts_follow_the_scale():
    small = generate_scale_data(scale=0.01, today=TODAY)
    # Findings, actions and updates are the full size times the scale, exactly; reports
    # never fall below one per body, so at this scale there are 43 rather than 6.
    assert (small.findings, small.actions, small.updates) == (200, 400, 2_000)
    assert small.reports == 43
    assert scale_reports().count() == small.reports
    assert Finding.objects.filter(report__in=scale_reports()).count() == small.findings
    assert scale_actions().count() == small.actions
    assert ProgressUpdate.objects.filter(action__in=scale_actions()).count() == small.updates
    delete_scale_data()
    double = generate_scale_data(scale=0.02, today=TODAY)
    for name in ("findings", "actions", "updates", "action_links", "addressee_links"):
        ratio = getattr(double, name) / getattr(small, name)
        assert 1.8 <= ratio <= 2.2, name


def test_the_full_size_is_what_the_issue_asks_for():
    assert totals_for(1.0, 43) == FULL_SIZE == Totals(600, 20_000, 40_000, 200_000)
    assert totals_for(0.5, 43) == Totals(300, 10_000, 20_000, 100_000)
    assert totals_for(0.001, 43) == Totals(43, 43, 43, 200)


def test_allocate_splits_exactly_and_respects_minimums():
    shares = allocate(100, [1.0, 2.0, 1.5], minimum=[5, 0, 30])
    assert sum(shares) == 100
    assert shares[0] >= 5
    assert shares[2] >= 30
    with pytest.raises(ValueError, match="Cannot split"):
        allocate(3, [1.0, 1.0], minimum=2)


def test_the_same_seed_gives_the_same_rows(scale_data):
    first = snapshot()
    generate("--replace")
    assert snapshot() == first
    assert scale_actions().count() == 400


def test_a_different_seed_gives_different_rows(scale_data):
    first = snapshot()
    generate("--replace", "--seed", "7")
    assert snapshot() != first


def test_it_refuses_without_replace_and_changes_nothing(scale_data):
    before = row_counts()
    digest = snapshot()
    with pytest.raises(CommandError, match=r"already exists.*Nothing was changed.*--replace"):
        generate()
    assert row_counts() == before
    assert snapshot() == digest
    with pytest.raises(ScaleDataExists):
        generate_scale_data(scale=SCALE, today=TODAY)


def test_replace_removes_only_scale_data_and_writes_no_history():
    call_command("load_demo", stdout=io.StringIO())
    demo = row_counts()
    demo_titles = set(InspectionReport.objects.values_list("title", flat=True))
    generate()
    generate("--replace", "--seed", "3")
    assert scale_reports().exists()
    result = delete_scale_data()
    assert result.reports == 43
    assert result.users == 172
    assert row_counts() == demo  # history counts included: bulk writes record none
    assert set(InspectionReport.objects.values_list("title", flat=True)) == demo_titles
    assert not User.objects.filter(username__startswith="scale-").exists()


def test_every_rag_colour_appears(scale_data):
    colours = {action.rag(TODAY) for action in scale_actions()}
    assert colours == set(Rag)


def test_statuses_and_kinds_cover_every_value(scale_data):
    reports = scale_reports()
    assert set(Finding.objects.filter(report__in=reports).values_list("kind", flat=True)) == set(
        FindingKind
    )
    assert set(scale_actions().values_list("status", flat=True)) == set(ActionStatus)
    assert scale_actions().filter(owner=None).exists()
    assert scale_actions().exclude(owner=None).exists()


def test_the_rows_keep_the_rules(scale_data):
    reports = scale_reports()
    entries = ResponseEntry.objects.filter(response__report__in=reports)
    assert entries.exists()
    # Entries only for recommendations addressed to the force or the body (s55(5B)).
    assert not entries.exclude(finding__kind=FindingKind.RECOMMENDATION).exists()
    assert not entries.exclude(finding__addressees__answerable=True).exists()
    assert not entries.exclude(finding__report=F("response__report")).exists()
    # Responses that reached approval answer every such recommendation.
    approved = Response.objects.filter(
        report__in=reports,
        status__in=[ResponseStatus.APPROVED, ResponseStatus.PUBLISHED, ResponseStatus.COPIES_SENT],
    ).prefetch_related("entries", "report__findings__addressees")
    assert approved
    assert all(response.is_complete() for response in approved)
    assert not Response.objects.filter(report__in=reports, report__report_type="fire").exists()
    # Each response is due when the rule says, as response_start would have set it.
    for response in Response.objects.filter(report__in=reports).select_related("report"):
        assert response.due_on is not None
        assert response.due_on == response.report.response_due_on
    # A cause of concern always comes with a recommendation.
    concerns = Finding.objects.filter(report__in=reports, kind=FindingKind.CAUSE_OF_CONCERN)
    assert not concerns.annotate(n=Count("recommendations")).filter(n=0).exists()

    actions = scale_actions()
    assert not actions.filter(target_on__lt=F("start_on")).exists()
    assert not actions.filter(Q(percent_complete__gt=100) | Q(start_on__gt=TODAY)).exists()
    assert not actions.filter(completed_on__lt=F("start_on")).exists()
    assert not actions.filter(completed_on__gt=TODAY).exists()
    assert not actions.filter(status=ActionStatus.COMPLETE).exclude(percent_complete=100).exists()
    linked = AssuranceAction.objects.filter(pk__in=actions).annotate(n=Count("findings"))
    assert set(linked.values_list("n", flat=True)) <= {1, 2, 3}
    assert not actions.exclude(findings__report__body=F("body")).exists()
    assert not actions.exclude(owner=None).exclude(owner__membership__body=F("body")).exists()

    updates = ProgressUpdate.objects.filter(action__in=actions)
    assert not updates.filter(written_at__date__lt=F("action__start_on")).exists()
    # Only members who may change records write updates (an analyst may own an action).
    writers = Membership.objects.filter(user__in=updates.values("author"))
    assert writers.exists()
    assert all(membership.can_edit for membership in writers)
    assert not updates.filter(written_at__date__gt=TODAY).exists()
    assert not updates.filter(percent_complete__gt=100).exists()


def test_some_targets_moved_through_the_rule_and_the_dashboard_shows_them(scale_data):
    actions = list(scale_actions().prefetch_related("target_changes").select_related("body"))
    moved = [a for a in actions if a.target_changes.all()]
    # Most targets never moved; a realistic minority did, some more than once.
    assert 0.15 <= len(moved) / len(actions) <= 0.5
    assert max(a.slip_count for a in actions) >= 2
    changes = [c for a in moved for c in a.target_changes.all()]
    assert any(not c.later for c in changes)  # a few were brought forward
    for action in moved:
        history = sorted(action.target_changes.all(), key=lambda c: c.changed_at)
        # The chain runs from the original target to today's, each move one recorded.
        assert history[0].from_on == action.original_target_on
        assert history[-1].to_on == action.target_on
        assert all(a.to_on == b.from_on for a, b in itertools.pairwise(history))
        assert action.slip_count == sum(c.later for c in history)
        assert all(c.from_on >= action.start_on and c.to_on >= action.start_on for c in history)
        days = [c.changed_at.date() for c in history]
        assert days == sorted(set(days))
        assert action.start_on < days[0]
        assert days[-1] <= (action.completed_on or TODAY)
        assert all(c.reason for c in history)
        writers = Membership.objects.filter(user_id__in={c.changed_by_id for c in history})
        assert all(m.can_edit and m.body_id == action.body_id for m in writers)
    unmoved = [a for a in actions if not a.target_changes.all()]
    assert all((a.original_target_on, a.slip_count) == (a.target_on, 0) for a in unmoved)
    assert "moves of a target date" in scale_data


def test_it_rejects_a_scale_out_of_range():
    with pytest.raises(CommandError, match="more than 0"):
        generate(scale=0)
    with pytest.raises(ValueError, match="more than 0"):
        generate_scale_data(scale=11, today=TODAY)
    assert not scale_reports().exists()


def test_no_generated_title_is_one_the_demo_looks_up():
    # load_demo finds its reports by title: a clash would make it adopt a scale report.
    for title in demo_set().titles():
        assert unreserved(title) != title
    assert unreserved("An inspection of fraud") == "An inspection of fraud"


def test_the_help_says_history_is_not_recorded():
    assert "no history" in Command.help
    assert "--replace" in Command.help
