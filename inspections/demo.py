"""Demo data: the July 2023 Hampshire and Isle of Wight response (real text) and an
illustrative spread of reports, responses and actions around it, as data/demo.toml
describes them (read by datafiles.demo).

Everything is built through the services, as a person using the app would build it:
reports and findings, responses taken step by step through the s55 workflow, entries,
actions and their progress updates. So completion dates, versions, history and the
statutory due date come from the one place that decides them. Afterwards the history of
what was created is dated to when it would have happened, so the dashboard's "what has
changed" has a believable past.

Idempotent: records are found by natural keys (a body's report by title, an action by
title, a user by username) and created only when missing, so running it twice changes
nothing, and it never overwrites what users have changed since.

The demo's approver and administrator have two-factor sign-in on with fixed TOTP secrets
from demo.toml. Those secrets are public: they are for the demo only, never for real
people (who set up their own authenticator app on their account page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .datafiles.demo import (
    DemoAction,
    DemoReport,
    DemoResponse,
    DemoSet,
    DemoTargetChange,
    PublishedText,
    demo_set,
)
from .models import (
    ActionStatus,
    Addressee,
    AssuranceAction,
    Finding,
    InspectionReport,
    Inspectorate,
    Membership,
    PeelGrade,
    PolicingBody,
    Response,
    ResponseStatus,
    Scope,
)
from .reference_data import load_reference_data
from .services import actions, notify, reports, responses, workflow
from .two_factor import enable_totp

DEMO_PASSWORD = "demo-pass-2026"
HAMPSHIRE = demo_set().bodies["hampshire"].slug  # the body of the July 2023 response

# The s55 steps in order: a response is taken along them until it has its status. The
# chief officer's comments may be skipped ("submit" follows either of the first two).
ROUTE = ["request-comments", "record-comments", "submit", "approve", "publish", "record-copies"]


class DemoDataError(Exception):
    """The demo data asks for something the app's rules do not allow."""


def read_sample() -> PublishedText:
    """The July 2023 response as published: the one demo response with a real text."""
    (published,) = (
        r.response.published for r in demo_set().reports if r.response and r.response.published
    )
    return published


def _day(today: dt.date, days: int) -> dt.date:
    return today + dt.timedelta(days=days)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass(frozen=True)
class _Body:
    body: PolicingBody
    editor: Membership
    approver: Membership
    signatory_name: str
    signatory_role: str


# Users ---------------------------------------------------------------------------------


def _user(demo: DemoSet, username: str, body: PolicingBody) -> User:
    spec = demo.users[username]
    UserModel = get_user_model()
    user = UserModel.objects.filter(username=username).first()
    if user is None:
        user = UserModel.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{username}@example.org",
        )
        if spec.totp_secret:
            enable_totp(user, spec.totp_secret)  # demo only: the secret is in demo.toml
    Membership.objects.get_or_create(
        user=user,
        defaults={
            "body": body,
            "role": spec.role,
            "is_administrator": spec.administrator,
            "job_title": spec.job_title,
        },
    )
    return user


def _bodies(demo: DemoSet) -> dict[str, _Body]:
    found: dict[str, _Body] = {}
    for key, spec in demo.bodies.items():
        body = PolicingBody.objects.get(slug=spec.slug)
        for username, user in demo.users.items():
            if user.body == key:
                _user(demo, username, body)
        found[key] = _Body(
            body=body,
            editor=Membership.objects.get(user__username=spec.editor),
            approver=Membership.objects.get(user__username=spec.approver),
            signatory_name=spec.signatory_name,
            signatory_role=spec.signatory_role,
        )
    return found


# Reports and findings ------------------------------------------------------------------


def _report(spec: DemoReport, body: PolicingBody, today: dt.date) -> InspectionReport:
    """The body's report of that title, created with its grades and findings if missing
    (and logged, as far as its history says, on the day it was published)."""
    existing = InspectionReport.objects.filter(body=body, title=spec.title).first()
    if existing is not None:
        return existing
    inspectorates = {i.code: i for i in Inspectorate.objects.all()}
    addressees = {a.code: a for a in Addressee.objects.all()}
    published_on = spec.published_on(today)
    report = reports.report_create(
        body=body,
        title=spec.title,
        reference=spec.reference,
        report_type=spec.report_type,
        lead_inspectorate=inspectorates[spec.lead],
        partner_inspectorates=[inspectorates[code] for code in spec.partners],
        published_on=published_on,
        scope=spec.scope,
        forces=[body.force] if spec.scope == Scope.FORCES else [],
        summary=spec.summary,
        marking=spec.marking,
    )
    for position, (area, grade) in enumerate(spec.grades):
        PeelGrade.objects.create(report=report, area=area, grade=grade, position=position)
    created: dict[str, Finding] = {}
    for finding in spec.findings:
        created[finding.reference] = reports.finding_create(
            report=report,
            kind=finding.kind,
            reference=finding.reference,
            text=finding.text,
            addressees=[addressees[code] for code in finding.addressees],
            cause_of_concern=(
                created[finding.cause_of_concern] if finding.cause_of_concern else None
            ),
            deadline_text=finding.deadline_text,
            deadline=(
                None if finding.deadline_days is None else _day(published_on, finding.deadline_days)
            ),
            inspectorate_status=finding.inspectorate_status,
        )
    when = _at(published_on)
    InspectionReport.history.filter(id=report.pk).update(history_date=when)
    Finding.history.filter(report_id=report.pk).update(history_date=when)
    return report


# Responses -----------------------------------------------------------------------------


def _step_data(
    demo: DemoSet, spec: DemoResponse, response: Response, name: str, today: dt.date
) -> dict[str, object]:
    """What each step records, as its form in the app would ask for it."""
    defaults = demo.response_defaults
    published = response.report.published_on
    if name == "request-comments" and spec.chief_officer:
        return {
            "chief_invited_on": _day(published, defaults.chief_invited_after_days),
            "chief_reply_by": _day(published, defaults.chief_reply_by_after_days),
        }
    if name == "record-comments":
        days = min(defaults.chief_commented_after_days, (today - published).days - 1)
        return {
            "chief_comments_received_on": _day(published, days),
            "chief_comments": defaults.chief_comments,
        }
    if name == "publish":
        return {"published_on": _published_on(spec, response), "published_url": spec.published_url}
    if name == "record-copies":
        return {
            "copy_to_inspectorate_on": response.published_on,
            "copy_to_home_secretary_on": response.published_on,
        }
    if name == "no-response":
        return {"no_response_reason": spec.no_response_reason, "reason": spec.no_response_reason}
    return {}


def _published_on(spec: DemoResponse, response: Response) -> dt.date:
    if spec.published_on is not None:
        return spec.published_on
    if response.due_on is None or spec.published_days_from_due is None:
        raise DemoDataError(
            f"{response.report.title}: a published response needs published_on, or "
            "published_days_from_due and a report with a statutory clock."
        )
    return _day(response.due_on, spec.published_days_from_due)


def _response(
    demo: DemoSet, spec: DemoReport, report: InspectionReport, at: _Body, today: dt.date
) -> Response | None:
    """The body's response to the report, if the data has one: started, written and taken
    through the workflow to its status by the body's editor and approver."""
    wanted = spec.response
    if wanted is None:
        return None
    existing = Response.objects.filter(body=at.body, report=report).first()
    if existing is not None:
        return existing
    response = responses.response_start(body=at.body, report=report)
    published = wanted.published
    response = responses.response_update(
        response=response,
        version=response.version,
        comments="\n\n".join(published.paragraphs) if published else wanted.comments,
        closing_line=published.closing_line if published else "",
        signatory_name=published.signatory_name if published else at.signatory_name,
        signatory_role=published.signatory_role if published else at.signatory_role,
        marking=report.marking,
    )
    findings = {f.reference: f for f in report.findings.all()}
    for finding in spec.findings:
        if finding.entry is not None:
            responses.entry_save(
                response=response,
                finding=findings[finding.reference],
                version=None,
                answer=finding.entry.answer,
                text=finding.entry.text,
            )
    response.refresh_from_db()
    route = ["no-response"] if wanted.status == ResponseStatus.NO_RESPONSE_NEEDED else ROUTE
    for name in route:
        if response.status == wanted.status:
            break
        if name == "record-comments" and not wanted.chief_officer:
            continue
        transition = workflow.TRANSITIONS[name]
        try:
            response = workflow.response_transition(
                response=response,
                transition=transition,
                membership=at.approver if transition.approver_only else at.editor,
                version=response.version,
                data=_step_data(demo, wanted, response, name, today),
            )
        except workflow.TransitionRefused as refusal:
            raise DemoDataError(f"{report.title}: {refusal}") from refusal
        if name == "approve":
            response = _approved_in_the_past(demo, response)
    if response.status != wanted.status:
        raise DemoDataError(f"{report.title}: no route to {wanted.status}.")
    _date_response_history(response)
    return response


def _approved_in_the_past(demo: DemoSet, response: Response) -> Response:
    """Approved when it would have been, not when the demo was loaded: before the steps
    after it, which the workflow checks against the approval (publication comes after)."""
    approved_on = _day(response.report.published_on, demo.response_defaults.approved_after_days)
    approved_at = _at(approved_on, hour=10)
    Response.objects.filter(pk=response.pk).update(approved_at=approved_at)
    Response.history.filter(id=response.pk, approved_at__isnull=False).update(
        approved_at=approved_at
    )
    response.refresh_from_db()
    return response


def _date_response_history(response: Response) -> None:
    """Each step's history row on the day the step happened."""
    published = response.report.published_on
    started = _day(published, 2)
    invited = response.chief_invited_on or started
    commented = response.chief_comments_received_on or invited
    approved = timezone.localdate(response.approved_at) if response.approved_at else commented
    days = {
        ResponseStatus.DRAFT: started,
        ResponseStatus.NO_RESPONSE_NEEDED: started,
        ResponseStatus.COMMENTS_REQUESTED: invited,
        ResponseStatus.COMMENTS_RECEIVED: commented,
        ResponseStatus.READY_FOR_APPROVAL: commented,
        ResponseStatus.APPROVED: approved,
        ResponseStatus.PUBLISHED: response.published_on or approved,
        ResponseStatus.COPIES_SENT: response.copy_to_inspectorate_on or approved,
    }
    for status, day in days.items():
        Response.history.filter(id=response.pk, status=status).update(history_date=_at(day))


# Actions -------------------------------------------------------------------------------


def _probe_percent(
    spec: DemoAction, body: PolicingBody, start_on: dt.date, target_on: dt.date, today: dt.date
) -> int:
    """The percent complete nearest to the data's that the RAG rule itself colours as the
    data says (by the body's tolerances), so the demo keeps every colour whatever the
    rule's thresholds."""
    probe = AssuranceAction(body=body, status=spec.status, start_on=start_on, target_on=target_on)
    for percent in sorted(range(101), key=lambda p: (abs(p - spec.percent), p)):
        probe.percent_complete = percent
        if probe.rag(today) == spec.rag:
            return percent
    raise DemoDataError(
        f"{spec.title}: no percent complete makes it {spec.rag} on {today:%d %B %Y}."
    )


def _update_days(spec: DemoAction, start_on: dt.date, today: dt.date) -> list[dt.date]:
    """Spread between the start and the day before loading; the last on its own day where
    the data gives one (a recent status change)."""
    count = len(spec.update_texts)
    days = [
        max(start_on, _day(today, -(spec.start_days_ago * (3 - n) // 4 + 1))) for n in range(count)
    ]
    if spec.last_update_days_ago is not None:
        last = _day(today, -spec.last_update_days_ago)
        days = [min(day, last) for day in days[:-1]] + [last]
    return days


def _action(
    demo: DemoSet,
    spec: DemoAction,
    report: InspectionReport,
    at: _Body,
    users: dict[str, User],
    today: dt.date,
) -> None:
    """The action, if missing: created as not started with its first target, then brought
    to where it stands by its progress updates and target date changes, each applied by
    the service as if made on its day, in the order they happened."""
    if AssuranceAction.objects.filter(body=at.body, title=spec.title).exists():
        return
    start_on = _day(today, -spec.start_days_ago)
    target_on = _day(today, spec.target_in_days)
    percent = _probe_percent(spec, at.body, start_on, target_on, today)
    first_target = spec.original_target_in_days
    action = actions.action_create(
        body=at.body,
        title=spec.title,
        description=demo.action_defaults.description.format(report=report.title),
        owner=users[spec.owner] if spec.owner else None,
        force_lead=demo.action_defaults.force_lead,
        start_on=start_on,
        target_on=target_on if first_target is None else _day(today, first_target),
        assurance_level=spec.assurance_level,
        forum=spec.forum,
        response=report.responses.filter(body=at.body).first(),
    )
    for finding in report.findings.filter(reference__in=spec.findings):
        actions.finding_link(action=action, finding=finding)
    days = _update_days(spec, start_on, today)
    events: list[tuple[dt.datetime, int, DemoTargetChange | str]] = [
        (_at(day), n, text)
        for n, (text, day) in enumerate(zip(spec.update_texts, days, strict=True), start=1)
    ]
    # A target moves late in the morning, after any update written that day.
    events += [(_at(_day(today, -c.days_ago), hour=11), 0, c) for c in spec.target_changes]
    changed_at: list[dt.datetime] = []
    for when, n, event in sorted(events, key=lambda e: e[:2]):
        version = action.version  # the services change their own copy of the action
        if isinstance(event, DemoTargetChange):
            actions.action_update(
                action=action,
                version=version,
                target_on=_day(today, event.to_in_days),
                target_reason=event.reason,
                by=users[event.by],
                changed_at=when,
            )
        else:
            then = percent * n // len(days)
            status = (
                spec.status
                if n == len(days)
                else (ActionStatus.IN_PROGRESS if then else ActionStatus.NOT_STARTED)
            )
            actions.action_record_progress(
                action=action,
                author=at.editor.user,
                text=event,
                status=status,
                percent_complete=then,
                written_at=when,
            )
        action.refresh_from_db()
        if action.version != version:
            changed_at.append(when)
    # Its history: made when the work started, then a row for each update that changed it.
    rows = list(AssuranceAction.history.filter(id=action.pk).order_by("history_id"))
    made = len(rows) - len(changed_at)
    for row, when in zip(rows, [_at(start_on)] * made + changed_at, strict=True):
        AssuranceAction.history.filter(history_id=row.history_id).update(history_date=when)


# Loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    created_users: bool


@transaction.atomic
def _meetings(body: PolicingBody, today: dt.date) -> None:
    """The body's meetings (issue 13): two held, one to come. Kept if already there."""
    from .models import Forum, Meeting

    for name, kind, days in (
        ("Accountability board", Forum.ACCOUNTABILITY_BOARD, -42),
        ("Police and Crime Panel", Forum.POLICE_AND_CRIME_PANEL, -14),
        ("Accountability board", Forum.ACCOUNTABILITY_BOARD, 21),
    ):
        Meeting.objects.get_or_create(
            body=body, name=name, held_on=_day(today, days), defaults={"kind": kind}
        )


def load_demo(today: dt.date | None = None) -> DemoResult:
    # The demo's events are made up and dated in the past: nobody is told of them.
    with notify.silenced():
        today = today or timezone.localdate()
        demo = demo_set()
        load_reference_data()
        UserModel = get_user_model()
        first_time = not UserModel.objects.filter(username__in=demo.users).exists()
        bodies = _bodies(demo)
        if not UserModel.objects.filter(username="admin").exists():
            UserModel.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
        users = {u.username: u for u in UserModel.objects.filter(username__in=demo.users)}
        found = {spec.key: _report(spec, bodies[spec.body].body, today) for spec in demo.reports}
        for spec in demo.reports:
            _response(demo, spec, found[spec.key], bodies[spec.body], today)
        body_of = {spec.key: bodies[spec.body] for spec in demo.reports}
        for action in demo.actions:
            _action(demo, action, found[action.report], body_of[action.report], users, today)
        _meetings(bodies["hampshire"].body, today)
        return DemoResult(created_users=first_time)
