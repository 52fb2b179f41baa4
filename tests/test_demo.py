from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from inspections.datafiles.demo import demo_set
from inspections.demo import DEMO_PASSWORD, read_sample
from inspections.models import (
    AssuranceAction,
    Finding,
    FindingKind,
    Force,
    InspectionReport,
    Membership,
    Nation,
    PolicingBody,
    Response,
    ResponseStatus,
    Role,
)
from inspections.rules import Rag
from inspections.two_factor import has_two_factor, totp_secret

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_loading_the_demo_twice_changes_no_row_count(demo):
    before = row_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert row_counts() == before
    assert before["inspections.AssuranceAction"] >= 40


def test_the_reference_data_has_43_forces_each_with_its_body():
    call_command("load_reference_data", stdout=io.StringIO())
    assert Force.objects.count() == 43
    assert PolicingBody.objects.count() == 43
    welsh = PolicingBody.objects.filter(force__nation=Nation.WALES)
    assert sorted(b.force.name for b in welsh) == [
        "Dyfed-Powys Police",
        "Gwent Police",
        "North Wales Police",
        "South Wales Police",
    ]
    assert all(b.welsh_language_standards for b in welsh)
    mopac = PolicingBody.objects.get(force__name="Metropolitan Police Service")
    assert mopac.kind == PolicingBody.Kind.MAYOR


def test_the_july_2023_response_carries_the_published_text(demo):
    sample = read_sample()
    response = Response.objects.get(
        report__title="Management of terrorist offenders in the wake of terrorist attacks"
    )
    assert response.report.title_with_month == sample.title
    assert response.report.published_on == dt.date(2023, 7, 20)
    assert response.report.lead_inspectorate.short_name == "HMI Probation"
    assert {i.short_name for i in response.report.partner_inspectorates.all()} == {
        "HMICFRS",
        "HMI Prisons",
    }
    assert response.body.office_name == sample.office
    assert response.comments == "\n\n".join(sample.paragraphs)
    assert response.comments.startswith("Terror attacks are not just for our metropolitan areas")
    assert response.comments.endswith("in order to keep our communities safe.")
    assert response.signatory_name == "Donna Jones"
    assert response.signatory_role == "Police and Crime Commissioner"
    assert response.closing_line == (
        "No recommendations were made for Chief Constables or Police and Crime Commissioners."
    )
    # Recommendations 19-21 went to Counter Terrorism Policing, so none needs an entry.
    assert response.report.findings.count() == 3
    assert response.is_complete()
    assert response.published_late is False


def test_the_demo_users_have_their_roles_and_the_demo_password(demo):
    roles = {m.user.username: (m.role, m.body.force.name) for m in Membership.objects.all()}
    assert roles == {
        "alice": (Role.EDITOR, "Hampshire and Isle of Wight Constabulary"),
        "pat": (Role.APPROVER, "Hampshire and Isle of Wight Constabulary"),
        "ana": (Role.ANALYST, "Hampshire and Isle of Wight Constabulary"),
        "ada": (Role.EDITOR, "Hampshire and Isle of Wight Constabulary"),
        "fred": (Role.CONTRIBUTOR, "Hampshire and Isle of Wight Constabulary"),
        "olly": (Role.EDITOR, "Thames Valley Police"),
    }
    administrators = Membership.objects.administrators()
    assert [m.user.username for m in administrators] == ["ada"]
    assert Client().login(username="olly", password=DEMO_PASSWORD)
    assert Client().login(username="fred", password=DEMO_PASSWORD)
    for username in ("alice", "ada", "fred"):
        assert username in demo
    assert DEMO_PASSWORD in demo


def test_approvers_and_administrators_have_two_factor_sign_in_with_the_demo_secrets(demo):
    secrets = {user.username: user.totp_secret for user in demo_set().users.values()}
    members = Membership.objects.select_related("user", "body")
    for membership in members:
        user = membership.user
        if membership.must_use_two_factor:
            assert has_two_factor(user), user.username
            assert totp_secret(user) == secrets[user.username]
        else:
            assert not has_two_factor(user), user.username
    assert {m.user.username for m in members if m.must_use_two_factor} == {"pat", "ada"}


def test_fred_is_the_forces_lead_for_a_few_actions_and_every_owner_may_own_them(demo):
    fred = Membership.objects.get(user__username="fred")
    assert fred.is_contributor
    assert "Constabulary" in fred.job_title
    his = AssuranceAction.objects.filter(owner=fred.user)
    assert 2 <= his.count() <= 3
    assert {a.body for a in his} == {fred.body}
    assert his.open().exists()
    assert his.exclude(pk__in=his.open()).exists()  # and a closed one
    assert all(a.findings.exists() for a in his)  # he has findings' text to read
    owners = Membership.objects.filter(user__owned_actions__isnull=False).distinct()
    assert all(m.can_own_actions for m in owners)
    # He signs in to his own actions and nothing else.
    client = Client()
    assert client.login(username="fred", password=DEMO_PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    assert {a.pk for a in home.context["yours"].open + home.context["yours"].closed} == {
        a.pk for a in his
    }
    assert client.get("/dashboard/").status_code == 404


def test_the_demo_spreads_over_every_status_colour_and_kind(demo):
    hampshire = PolicingBody.objects.get(force__name__startswith="Hampshire")
    responses = Response.objects.filter(body=hampshire).select_related("report")
    today = timezone.localdate()
    assert {r.status for r in responses} == set(ResponseStatus)
    assert sum(r.is_overdue(today) for r in responses) == 1
    assert sum(r.is_due_soon(today) for r in responses) == 1
    assert any(r.published_late is False for r in responses)
    assert any(r.published_late is True for r in responses)
    assert InspectionReport.objects.filter(body=hampshire).count() == 15
    kinds = set(Finding.objects.filter(report__body=hampshire).values_list("kind", flat=True))
    assert kinds == set(FindingKind)
    actions = AssuranceAction.objects.filter(body=hampshire)
    assert {a.rag(today) for a in actions} == set(Rag)
    assert all(a.updates.exists() for a in actions)
    assert AssuranceAction.objects.exclude(body=hampshire).exists()  # olly's own


def test_the_if_empty_option_skips_a_database_that_has_users(demo):
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "skipped" in out.getvalue()


def test_the_response_in_the_admin_shows_the_sample_text(demo):
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    response = Response.objects.get(report__published_on=dt.date(2023, 7, 20))
    page = client.get(f"/admin/inspections/response/{response.pk}/change/")
    assert page.status_code == 200
    assert "Terror attacks are not just for our metropolitan areas" in page.text
    assert "Donna Jones" in page.text


def test_every_response_is_due_when_the_rule_says_and_reached_its_status_step_by_step(demo):
    responses = Response.objects.select_related("report", "approved_by")
    assert responses.count() == sum(1 for r in demo_set().reports if r.response)
    for response in responses:
        assert response.due_on == response.report.response_due_on
        steps = list(response.history.order_by("history_id"))
        assert steps[0].status == ResponseStatus.DRAFT
        assert steps[-1].status == response.status
        reasons = {step.history_change_reason for step in steps}
        if response.approved_by is not None:
            assert "Approve the response" in reasons
            body = next(b for b in demo_set().bodies.values() if b.slug == response.body.slug)
            assert response.approved_by.username == body.approver
            # Each step is dated when it happened, not when the demo was loaded.
            approved = next(s for s in steps if s.status == ResponseStatus.APPROVED)
            assert response.approved_at is not None
            assert approved.history_date.date() == response.approved_at.date()
        history_days = [step.history_date for step in steps]
        assert history_days == sorted(history_days)
    fire = Response.objects.filter(report__report_type="fire")
    assert not fire.exists()  # the demo's fire report has no response to be due


def test_every_action_shows_the_colour_its_data_names(demo):
    today = timezone.localdate()
    wanted = {spec.title: spec.rag for spec in demo_set().actions}
    shown = {a.title: a.rag(today) for a in AssuranceAction.objects.select_related("body")}
    assert shown == wanted


def test_actions_reach_their_state_through_their_progress_updates(demo):
    for action in AssuranceAction.objects.prefetch_related("updates"):
        last = action.updates.all()[0]  # newest first
        assert (last.status, last.percent_complete) == (action.status, action.percent_complete)
        if action.status == "complete":
            assert action.completed_on == timezone.localdate(last.written_at)
        assert all(u.author.membership.can_edit for u in action.updates.all())
    # A few changed status in the last month, for the dashboard's "what has changed".
    since = timezone.now() - dt.timedelta(days=30)
    recent = AssuranceAction.history.filter(history_date__gte=since, history_type="~")
    assert recent.values("id").distinct().count() >= 5


def test_some_actions_slipped_through_the_edit_pages_rule_and_the_dashboard_lists_them(demo):
    today = timezone.localdate()
    vetting = AssuranceAction.objects.get(title="Review vetting of officers under investigation")
    assert (vetting.slip_count, vetting.slip_days) == (3, 310)
    assert vetting.original_target_on == today - dt.timedelta(days=400)
    changes = list(vetting.target_changes.order_by("changed_at"))
    assert [(timezone.localdate(c.changed_at), c.changed_by.username) for c in changes] == [
        (today - dt.timedelta(days=410), "alice"),
        (today - dt.timedelta(days=305), "alice"),
        (today - dt.timedelta(days=205), "pat"),
    ]
    assert changes[-1].to_on == vetting.target_on
    # Its history reads in the order things happened, each move with its reason.
    rows = list(AssuranceAction.history.filter(id=vetting.pk).order_by("history_date"))
    assert [r.version for r in rows] == sorted(r.version for r in rows)
    moves = [r for r in rows if "Target date moved from" in (r.history_change_reason or "")]
    assert [r.history_user.username for r in moves] == ["alice", "alice", "pat"]
    forward = AssuranceAction.objects.get(title="Attend every residential burglary")
    assert (forward.slip_count, forward.target_changes.count()) == (0, 1)

    client = Client()
    assert client.login(username="alice", password=DEMO_PASSWORD)
    board = client.get("/dashboard/").context["board"]
    assert [a.title for a in board.slipped][:2] == [
        "Review vetting of officers under investigation",
        "Answer 999 calls within ten seconds",
    ]
    assert board.slipped_open.value == len(board.slipped) == 4
