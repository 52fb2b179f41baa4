"""The demo data set, read from data/demo.toml (see the comments at its top)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from ..models import (
    ACTION_OWNER_ROLES,
    ActionStatus,
    AssuranceLevel,
    FindingKind,
    Forum,
    InspectorateStatus,
    Marking,
    PeelGrade,
    ReportType,
    ResponseEntry,
    ResponseStatus,
    Role,
    Scope,
)
from ..rules import Rag
from . import DataFileError, Table, read_text, read_toml

FILE = "demo.toml"


@dataclass(frozen=True)
class DemoBody:
    key: str
    slug: str
    editor: str
    approver: str
    signatory_name: str
    signatory_role: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    body: str
    role: Role
    job_title: str
    administrator: bool = False
    # A TOTP secret (base32) turned on for them: demo only, see demo.toml.
    totp_secret: str = ""

    @property
    def description(self) -> str:
        """Their role as the sign-in list says it: "editor and administrator"."""
        role = str(self.role.label).lower()
        return f"{role} and administrator" if self.administrator else role


@dataclass(frozen=True)
class DemoEntry:
    answer: ResponseEntry.Answer
    text: str


@dataclass(frozen=True)
class DemoFinding:
    kind: FindingKind
    reference: str
    text: str
    addressees: tuple[str, ...]
    cause_of_concern: str | None
    deadline_text: str
    deadline_days: int | None  # after the report's publication
    inspectorate_status: InspectorateStatus
    entry: DemoEntry | None


@dataclass(frozen=True)
class PublishedText:
    """A published response as its text file lays it out: the title, "Response from:",
    the body's paragraphs, the signature line and the closing line."""

    title: str
    office: str
    paragraphs: list[str]
    signatory_name: str
    signatory_role: str
    closing_line: str

    @classmethod
    def parse(cls, text: str, signatory_role: str) -> PublishedText:
        blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
        title, office_line, *paragraphs, signature, closing = blocks
        return cls(
            title=title,
            office=office_line.removeprefix("Response from:").strip(),
            paragraphs=paragraphs,
            signatory_name=signature.removesuffix(signatory_role).strip(),
            signatory_role=signatory_role,
            closing_line=closing,
        )


@dataclass(frozen=True)
class DemoResponse:
    status: ResponseStatus
    comments: str
    published: PublishedText | None  # the real text, where the response has one
    published_days_from_due: int | None
    published_on: dt.date | None
    published_url: str
    chief_officer: bool  # whether the steps record the chief officer's dates and comments
    no_response_reason: str


@dataclass(frozen=True)
class DemoReport:
    key: str
    body: str
    title: str
    report_type: ReportType
    lead: str
    partners: tuple[str, ...]
    published_days_ago: int | None
    published_on_date: dt.date | None
    scope: Scope
    reference: str
    summary: str
    marking: Marking
    grades: tuple[tuple[str, PeelGrade.Grade], ...]
    findings: tuple[DemoFinding, ...]
    response: DemoResponse | None

    def published_on(self, today: dt.date) -> dt.date:
        if self.published_on_date is not None:
            return self.published_on_date
        assert self.published_days_ago is not None
        return today - dt.timedelta(days=self.published_days_ago)


@dataclass(frozen=True)
class DemoTargetChange:
    """A move of the action's target date: when, to when (both in days from loading),
    who moved it and why."""

    days_ago: int
    to_in_days: int
    by: str
    reason: str


@dataclass(frozen=True)
class DemoAction:
    title: str
    report: str
    findings: tuple[str, ...]
    start_days_ago: int
    target_in_days: int
    status: ActionStatus
    rag: Rag
    percent: int  # roughly; the RAG rule has the last word
    owner: str | None
    forum: str
    assurance_level: str
    update_texts: tuple[str, ...]
    last_update_days_ago: int | None
    # The target first set, when it has moved since (the last move ends at target_in_days).
    original_target_in_days: int | None = None
    target_changes: tuple[DemoTargetChange, ...] = ()


@dataclass(frozen=True)
class ResponseDefaults:
    published_url: str
    chief_comments: str
    chief_invited_after_days: int
    chief_reply_by_after_days: int
    chief_commented_after_days: int
    approved_after_days: int


@dataclass(frozen=True)
class ActionDefaults:
    description: str  # with {report}
    force_lead: str


@dataclass(frozen=True)
class DemoSet:
    bodies: dict[str, DemoBody]
    users: dict[str, DemoUser]
    reports: tuple[DemoReport, ...]
    actions: tuple[DemoAction, ...]
    response_defaults: ResponseDefaults
    action_defaults: ActionDefaults

    def titles(self) -> frozenset[str]:
        return frozenset(report.title for report in self.reports)


@cache
def demo_set() -> DemoSet:
    root = read_toml(FILE)
    body_tables, user_tables = root.table("bodies"), root.table("users")
    bodies = {key: _body(key, body_tables.table(key)) for key in body_tables.names()}
    users = {name: _user(name, user_tables.table(name)) for name in user_tables.names()}
    defaults = root.table("response_defaults")
    response_defaults = ResponseDefaults(
        published_url=defaults.text("published_url"),
        chief_comments=defaults.text("chief_comments"),
        chief_invited_after_days=defaults.integer("chief_invited_after_days"),
        chief_reply_by_after_days=defaults.integer("chief_reply_by_after_days"),
        chief_commented_after_days=defaults.integer("chief_commented_after_days"),
        approved_after_days=defaults.integer("approved_after_days"),
    )
    action_table = root.table("action_defaults")
    action_defaults = ActionDefaults(
        description=action_table.text("description"),
        force_lead=action_table.text("force_lead"),
    )
    shared_updates = action_table.texts("update_texts")
    reports = tuple(_report(table, bodies, response_defaults) for table in root.tables("reports"))
    actions = tuple(_action(table, shared_updates) for table in root.tables("actions"))
    root.done()
    demo = DemoSet(bodies, users, reports, actions, response_defaults, action_defaults)
    _check(demo)
    return demo


def _body(key: str, table: Table) -> DemoBody:
    return DemoBody(
        key=key,
        slug=table.text("slug"),
        editor=table.text("editor"),
        approver=table.text("approver"),
        signatory_name=table.text("signatory_name", ""),
        signatory_role=table.text("signatory_role", ""),
    )


def _user(username: str, table: Table) -> DemoUser:
    return DemoUser(
        username=username,
        first_name=table.text("first_name"),
        last_name=table.text("last_name"),
        body=table.text("body"),
        role=table.choice("role", Role),
        job_title=table.text("job_title"),
        administrator=table.flag("administrator", False),
        totp_secret=table.text("totp_secret", ""),
    )


def _finding(table: Table) -> DemoFinding:
    entry = table.optional_table("entry")
    return DemoFinding(
        kind=table.choice("kind", FindingKind),
        reference=table.text("reference"),
        text=table.text("text"),
        addressees=tuple(table.texts("addressees", [])),
        cause_of_concern=table.text("cause_of_concern", "") or None,
        deadline_text=table.text("deadline_text", ""),
        deadline_days=table.optional_integer("deadline_days"),
        inspectorate_status=table.choice(
            "inspectorate_status", InspectorateStatus, InspectorateStatus.AWAITING_REVIEW
        ),
        entry=(
            None
            if entry is None
            else DemoEntry(entry.choice("answer", ResponseEntry.Answer), entry.text("text"))
        ),
    )


def _response(table: Table, body: DemoBody, defaults: ResponseDefaults) -> DemoResponse:
    text_file = table.text("published_text", "")
    published = (
        PublishedText.parse(read_text(text_file), body.signatory_role) if text_file else None
    )
    return DemoResponse(
        status=table.choice("status", ResponseStatus),
        comments=table.text("comments", ""),
        published=published,
        published_days_from_due=table.optional_integer("published_days_from_due"),
        published_on=table.optional_day("published_on"),
        published_url=table.text("published_url", defaults.published_url),
        chief_officer=table.flag("chief_officer", True),
        no_response_reason=table.text("no_response_reason", ""),
    )


def _report(table: Table, bodies: dict[str, DemoBody], defaults: ResponseDefaults) -> DemoReport:
    body = table.text("body")
    if body not in bodies:
        raise DataFileError(f"{table.where}: body = {body!r} is not one of the [bodies].")
    grades = table.optional_table("grades")
    response = table.optional_table("response")
    return DemoReport(
        key=table.text("key"),
        body=body,
        title=table.text("title"),
        report_type=table.choice("report_type", ReportType),
        lead=table.text("lead"),
        partners=tuple(table.texts("partners", [])),
        published_days_ago=table.optional_integer("published_days_ago"),
        published_on_date=table.optional_day("published_on"),
        scope=table.choice("scope", Scope),
        reference=table.text("reference", ""),
        summary=table.text("summary", ""),
        marking=table.choice("marking", Marking, Marking.OFFICIAL),
        grades=(
            ()
            if grades is None
            else tuple((area, grades.choice(area, PeelGrade.Grade)) for area in grades.names())
        ),
        findings=tuple(_finding(finding) for finding in table.tables("findings", [])),
        response=None if response is None else _response(response, bodies[body], defaults),
    )


def _action(table: Table, shared_updates: list[str]) -> DemoAction:
    own_updates = table.texts("update_texts", [])
    count = table.integer("updates", len(own_updates) or 1)
    updates = tuple(own_updates or shared_updates[:count])
    if len(updates) != count:
        raise DataFileError(f"{table.where}: updates = {count} but there are {len(updates)} texts.")
    return DemoAction(
        title=table.text("title"),
        report=table.text("report"),
        findings=tuple(table.texts("findings")),
        start_days_ago=table.integer("start_days_ago"),
        target_in_days=table.integer("target_in_days"),
        status=table.choice("status", ActionStatus),
        rag=table.choice("rag", Rag),
        percent=table.integer("percent"),
        owner=table.text("owner", "") or None,
        forum=table.optional_choice("forum", Forum) or "",
        assurance_level=table.optional_choice("assurance_level", AssuranceLevel) or "",
        update_texts=updates,
        last_update_days_ago=table.optional_integer("last_update_days_ago"),
        original_target_in_days=table.optional_integer("original_target_in_days"),
        target_changes=tuple(
            DemoTargetChange(
                days_ago=change.integer("days_ago"),
                to_in_days=change.integer("to_in_days"),
                by=change.text("by"),
                reason=change.text("reason"),
            )
            for change in table.tables("target_changes", [])
        ),
    )


def _check(demo: DemoSet) -> None:
    """What one entry says of another: every name it uses exists."""
    for user in demo.users.values():
        if user.body not in demo.bodies:
            raise DataFileError(f"{FILE}: users.{user.username}: no body {user.body!r}.")
    for body in demo.bodies.values():
        for username in (body.editor, body.approver):
            if username not in demo.users:
                raise DataFileError(f"{FILE}: bodies.{body.key}: no user {username!r}.")
    reports = {report.key: report for report in demo.reports}
    if len(reports) != len(demo.reports):
        raise DataFileError(f"{FILE}: two reports have the same key.")
    for report in demo.reports:
        if (report.published_days_ago is None) == (report.published_on_date is None):
            raise DataFileError(
                f"{FILE}: {report.key}: give published_days_ago or published_on, not both."
            )
        references = {f.reference for f in report.findings}
        for finding in report.findings:
            if finding.cause_of_concern and finding.cause_of_concern not in references:
                raise DataFileError(
                    f"{FILE}: {report.key}: no finding {finding.cause_of_concern!r}."
                )
    for action in demo.actions:
        if action.report not in reports:
            raise DataFileError(f"{FILE}: action {action.title!r}: no report {action.report!r}.")
        references = {f.reference for f in reports[action.report].findings}
        if missing := set(action.findings) - references:
            raise DataFileError(
                f"{FILE}: action {action.title!r}: no finding {', '.join(sorted(missing))}."
            )
        if action.owner and action.owner not in demo.users:
            raise DataFileError(f"{FILE}: action {action.title!r}: no user {action.owner!r}.")
        _check_target_changes(demo, action)
        if action.owner and demo.users[action.owner].role not in ACTION_OWNER_ROLES:
            raise DataFileError(
                f"{FILE}: action {action.title!r}: {action.owner} may not own actions "
                "(owners are editors, approvers and force contributors)."
            )


def _check_target_changes(demo: DemoSet, action: DemoAction) -> None:
    """Moves in the order they happened, after the start, each to a new date not before
    the start, from the original target to the action's target."""
    where = f"{FILE}: action {action.title!r}"
    changes = action.target_changes
    if not changes:
        if action.original_target_in_days is not None:
            raise DataFileError(f"{where}: an original target needs target_changes.")
        return
    if action.original_target_in_days is None:
        raise DataFileError(f"{where}: target_changes need original_target_in_days.")
    if action.original_target_in_days < -action.start_days_ago:
        raise DataFileError(f"{where}: the original target cannot be before the start.")
    target = action.original_target_in_days
    after = action.start_days_ago
    for change in changes:
        if change.by not in demo.users:
            raise DataFileError(f"{where}: no user {change.by!r}.")
        if not (0 <= change.days_ago <= after):
            raise DataFileError(f"{where}: target changes go in order, after the start.")
        if change.to_in_days == target or change.to_in_days < -action.start_days_ago:
            raise DataFileError(f"{where}: each change moves the target, not before the start.")
        target, after = change.to_in_days, change.days_ago
    if target != action.target_in_days:
        raise DataFileError(f"{where}: the last target change must end at target_in_days.")
