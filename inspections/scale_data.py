"""A national-scale data set for measuring the app: every policing body, ten years of
reports, findings, responses, assurance actions and progress updates.

Generated rows are marked so they can be found and removed: report references start with
"SCALE-" and usernames with "scale-"; everything else hangs off those reports (findings,
grades, responses, entries, the actions that serve them and their updates) or users.

Rows go in with bulk_create, so django-simple-history writes no history for them (history
records what people did, and nobody did this) and model save() methods are not called
(ProgressUpdate.save guards against edits; a bulk insert is never one). Deleting uses raw
deletes for the same reason: a cascade through the history signals would load every row
and write a "deleted" history row for each.

Titles, texts and weights come from data/scale-vocabulary.toml (datafiles.scale). What
follows from a rule is asked of the rule's one home, as the services would: the due date
from InspectionReport.response_due_on (and no response where a report has no statutory
clock), RAG colours from AssuranceAction.rag, closed findings from InspectorateStatus.done,
who may approve or write from Membership. The rows are not written through the services:
at about 3 ms a row there (SQLite), 40,000 actions and 200,000 updates alone would take a
quarter of an hour rather than half a minute, and would write history nobody made.

Deterministic: every choice comes from random.Random streams seeded from the seed (one
for the national split, one per body), never the global generator, and nothing depends
on primary keys. The same seed, scale and today give the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import rules
from .datafiles.demo import demo_set
from .datafiles.scale import BLOCKS, AddresseeGroup, vocabulary
from .models import (
    CLOSED_STATUSES,
    PUBLISHED_STATUSES,
    ActionStatus,
    Addressee,
    AssuranceAction,
    AssuranceLevel,
    Evidence,
    Finding,
    FindingKind,
    Forum,
    InspectionReport,
    Inspectorate,
    InspectorateStatus,
    Marking,
    Membership,
    PeelGrade,
    PolicingBody,
    ProgressUpdate,
    ReportType,
    Response,
    ResponseEdition,
    ResponseEntry,
    ResponseStatus,
    Role,
    Scope,
    TargetChange,
)
from .reference_data import load_reference_data

REFERENCE_PREFIX = "SCALE-"
USERNAME_PREFIX = "scale-"
BATCH_SIZE = 5_000
YEARS = 10
MAX_SCALE = 10.0
RECENT_SHARE = 0.15
RECENT_DAYS = 120

MEETING_FORUMS = [forum for forum in Forum if forum != Forum.OTHER]


@dataclass(frozen=True)
class Totals:
    reports: int
    findings: int
    actions: int
    updates: int


# Scale 1.0: the national picture over ten years, as the issue sizes it.
FULL_SIZE = Totals(reports=600, findings=20_000, actions=40_000, updates=200_000)


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


class ScaleDataExists(Exception):
    pass


@dataclass(frozen=True)
class ScaleResult:
    seed: int
    scale: float
    today: dt.date
    bodies: int
    users: int
    reports: int
    grades: int
    findings: int
    addressee_links: int
    responses: int
    entries: int
    actions: int
    action_links: int
    updates: int
    seconds: float
    target_changes: int = 0


def totals_for(scale: float, bodies: int) -> Totals:
    """The full size times the scale, but never less than every body needs to have a
    report, a finding on it, an action and an update."""
    reports = max(bodies, round(FULL_SIZE.reports * scale))
    actions = max(bodies, round(FULL_SIZE.actions * scale))
    return Totals(
        reports=reports,
        findings=max(reports, round(FULL_SIZE.findings * scale)),
        actions=actions,
        updates=max(actions, round(FULL_SIZE.updates * scale)),
    )


def allocate(total: int, weights: Sequence[float], minimum: int | Sequence[int] = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each share at least its
    minimum. The shares add up to `total` exactly."""
    minimums = [minimum] * len(weights) if isinstance(minimum, int) else list(minimum)
    rest = total - sum(minimums)
    if rest < 0:
        raise ValueError(f"Cannot split {total} with minimums adding up to {sum(minimums)}.")
    weight_sum = sum(weights)
    raw = [rest * w / weight_sum for w in weights]
    shares = [math.floor(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (shares[i] - raw[i], i))
    for i in by_remainder[: rest - sum(shares)]:
        shares[i] += 1
    return [m + s for m, s in zip(minimums, shares, strict=True)]


# ---------------------------------------------------------------------------------------
# Choosing. Titles, texts and weights come from data/scale-vocabulary.toml; what follows
# from a rule (which reports have a clock, due dates, RAG colours, closed findings, who may
# write) is asked of the models that hold the rule.

# Random draws before the generator tries every percent in turn (see _open_progress).
PERCENT_DRAWS = 12


def _weighted[T](rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start, end]; `end` when the range is empty, since callers pass today or
    a later event as the end and must not go past it."""
    span = (end - start).days
    return end if span <= 0 else start + _days(rng.randint(0, span))


def _publication_date(rng: random.Random, today: dt.date) -> dt.date:
    """Spread over the ten years before today, with more in the last four months than an
    even spread gives, so that every body has responses open, due soon or overdue."""
    if rng.random() < RECENT_SHARE:
        return today - _days(rng.randint(0, RECENT_DAYS))
    return today - _days(rng.randint(RECENT_DAYS + 1, YEARS * 365 + 1))


def unreserved(title: str) -> str:
    """load_demo finds its reports by body and title: a generated report with one of its
    titles would be taken for the demo's own, and the demo's actions hung on its findings."""
    if title in demo_set().titles():
        return vocabulary().not_the_demos_title.format(title=title)
    return title


def body_key(slug: str) -> str:
    """The readable part of a body's slug, for usernames and references: the place, not
    "police-and-crime-commissioner-for-"."""
    key = slug.split("-for-", 1)[-1].removeprefix("mayor-of-").removeprefix("the-")
    if len(key) > 30:
        key = key[:31].rsplit("-", 1)[0]
    return key


def _has_fire_governance(body: PolicingBody) -> bool:
    # PFCCs, and the combined-authority mayors, govern fire and rescue too.
    return body.kind == PolicingBody.Kind.PFCC or (
        body.kind == PolicingBody.Kind.MAYOR and body.name.startswith("Mayor of ")
    )


def _place(body: PolicingBody) -> str:
    return body.name.rsplit(" for ", 1)[-1].removeprefix("Mayor of ")


@dataclass(frozen=True)
class _NationalReport:
    report_type: ReportType
    title: str
    topic: str
    published_on: dt.date
    lead: str
    partners: tuple[str, ...]


def _national_catalogue(
    rng: random.Random, today: dt.date, size: int
) -> dict[ReportType, list[_NationalReport]]:
    """National thematic and joint reports: the same report, with the same title and date,
    is logged by every body that picks it."""
    words = vocabulary()
    thematics = []
    for _ in range(size):
        topic = rng.choice(words.thematic_topics)
        partners: tuple[str, ...] = ("hmcpsi",) if rng.random() < 0.15 else ()
        thematics.append(
            _NationalReport(
                ReportType.NATIONAL_THEMATIC,
                unreserved(rng.choice(words.thematic_titles).format(topic=topic)),
                topic,
                _publication_date(rng, today),
                "hmicfrs",
                partners,
            )
        )
    joints = []
    codes = ["hmicfrs", "hmi-probation", "hmi-prisons", "hmcpsi"]
    for _ in range(size):
        topic = rng.choice(words.joint_topics)
        lead = rng.choice(codes)
        others = [c for c in codes if c != lead]
        partners = tuple(sorted(rng.sample(others, rng.randint(1, 2))))
        if lead != "hmicfrs" and "hmicfrs" not in partners:
            partners = ("hmicfrs", *partners)
        joints.append(
            _NationalReport(
                ReportType.JOINT,
                unreserved(words.joint_title.format(topic=topic)),
                topic,
                _publication_date(rng, today),
                lead,
                partners,
            )
        )
    return {ReportType.NATIONAL_THEMATIC: thematics, ReportType.JOINT: joints}


# ---------------------------------------------------------------------------------------
# One body's rows, planned in Python and then inserted in dependency order.

ReportPartner = InspectionReport.partner_inspectorates.through
ReportForce = InspectionReport.forces.through
FindingAddressee = Finding.addressees.through
ActionFinding = AssuranceAction.findings.through

# A response's steps in order; it is published after the last open one.
STAGES: list[ResponseStatus] = [s for s in ResponseStatus if s != ResponseStatus.NO_RESPONSE_NEEDED]
OPEN_STAGES: list[ResponseStatus] = [s for s in STAGES if s not in CLOSED_STATUSES]

# The blocks a report's findings are made of (weights.blocks in the vocabulary).
CONCERN, RECOMMENDATION, AFI, PRACTICE = BLOCKS


@dataclass
class _BodyRows:
    # The auto-created through models have no importable name to annotate with.
    reports: list[InspectionReport] = field(default_factory=list)
    report_partners: list[Any] = field(default_factory=list)
    report_forces: list[Any] = field(default_factory=list)
    grades: list[PeelGrade] = field(default_factory=list)
    concerns: list[Finding] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # everything but concerns
    addressee_links: list[Any] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    entries: list[ResponseEntry] = field(default_factory=list)
    actions: list[AssuranceAction] = field(default_factory=list)
    action_links: list[Any] = field(default_factory=list)
    updates: list[ProgressUpdate] = field(default_factory=list)
    target_changes: list[TargetChange] = field(default_factory=list)


@dataclass
class _PlannedFinding:
    finding: Finding
    topic: str
    answerable: bool

    @property
    def actionable(self) -> bool:
        return self.finding.kind != FindingKind.INNOVATIVE_PRACTICE


@dataclass
class _PlannedReport:
    report: InspectionReport
    topic: str
    findings: list[_PlannedFinding] = field(default_factory=list)
    response: Response | None = None


@dataclass(frozen=True)
class _Members:
    """The body's scale users, one per role."""

    by_role: dict[Role, Membership]

    @property
    def editor(self) -> User:
        return self.by_role[Role.EDITOR].user

    @property
    def approver(self) -> User:
        return next(m.user for m in self.by_role.values() if m.can_approve)

    def owner(self, rng: random.Random) -> User:
        return self.by_role[_weighted(rng, vocabulary().owner_roles)].user

    def writer(self, user: User | None) -> User:
        """Who writes an update: the user, if their role may change records, else an
        editor (an analyst may own an action but not write to it)."""
        membership = next((m for m in self.by_role.values() if m.user == user), None)
        return user if user is not None and membership and membership.can_edit else self.editor


@dataclass(frozen=True)
class _Quota:
    reports: int
    findings: int
    actions: int
    updates: int


class _BodyPlanner:
    def __init__(
        self,
        *,
        body: PolicingBody,
        key: str,
        rng: random.Random,
        today: dt.date,
        members: _Members,
        quota: _Quota,
        catalogue: dict[ReportType, list[_NationalReport]],
        inspectorates: dict[str, Inspectorate],
        addressees: dict[str, Addressee],
        slip_rng: random.Random | None = None,
    ) -> None:
        self.body = body
        self.key = key
        self.rng = rng
        # Moves of target dates draw from their own stream, so adding them left every
        # other row of a seed as it was.
        self.slip_rng = slip_rng or random.Random(f"{key}:slippage")
        self.today = today
        self.members = members
        self.quota = quota
        self.catalogue = catalogue
        self.inspectorates = inspectorates
        self.addressees = addressees
        self.words = vocabulary()
        self.tz = timezone.get_default_timezone()
        self.rows = _BodyRows()
        self.signatory = f"{rng.choice(self.words.first_names)} {rng.choice(self.words.last_names)}"

    def plan(self) -> _BodyRows:
        reports = self._reports()
        counts = allocate(
            self.quota.findings,
            [
                self.words.findings_per_report[ReportType(p.report.report_type)]
                * self.rng.uniform(0.6, 1.4)
                for p in reports
            ],
            1,
        )
        for planned, count in zip(reports, counts, strict=True):
            self._findings(planned, count)
            self._response(planned)
        self._actions(reports)
        return self.rows

    def _at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(
            day, dt.time(self.rng.randint(8, 17), self.rng.randrange(0, 60, 5)), tzinfo=self.tz
        )

    # Reports ---------------------------------------------------------------------------

    def _reports(self) -> list[_PlannedReport]:
        rng = self.rng
        weights = [
            (report_type, weight)
            for report_type, weight in self.words.report_types
            if report_type != ReportType.FIRE or _has_fire_governance(self.body)
        ]
        types = [_weighted(rng, weights) for _ in range(self.quota.reports)]
        if all(not t.has_statutory_clock for t in types):
            types[0] = ReportType.NATIONAL_THEMATIC  # every body has a report to respond to
        national = {t: rng.sample(c, len(c)) for t, c in self.catalogue.items()}
        planned = []
        for report_type in types:
            if report_type in national:
                planned.append(self._national_report(national[report_type].pop()))
            else:
                planned.append(self._force_report(report_type))
        planned.sort(key=lambda p: (p.report.published_on, p.report.title))
        for number, p in enumerate(planned, start=1):
            p.report.reference = f"{REFERENCE_PREFIX}{self.key}-{number:03d}"
        for p in planned:
            self.rows.reports.append(p.report)
            if p.report.scope == Scope.FORCES:
                self.rows.report_forces.append(
                    ReportForce(inspectionreport=p.report, force=self.body.force)
                )
            if p.report.report_type == ReportType.PEEL:
                self._grades(p.report)
        return planned

    def _new_report(
        self,
        *,
        report_type: ReportType,
        title: str,
        published_on: dt.date,
        scope: Scope,
        lead: str = "hmicfrs",
        partners: tuple[str, ...] = (),
        marking: Marking = Marking.OFFICIAL,
    ) -> InspectionReport:
        report = InspectionReport(
            body=self.body,
            title=title,
            report_type=report_type,
            lead_inspectorate=self.inspectorates[lead],
            published_on=published_on,
            scope=scope,
            summary=self.words.summary,
            marking=marking,
        )
        for code in partners:
            self.rows.report_partners.append(
                ReportPartner(inspectionreport=report, inspectorate=self.inspectorates[code])
            )
        return report

    def _national_report(self, entry: _NationalReport) -> _PlannedReport:
        scope = Scope.FORCES if self.rng.random() < 0.15 else Scope.NATIONAL
        report = self._new_report(
            report_type=entry.report_type,
            title=entry.title,
            published_on=entry.published_on,
            scope=scope,
            lead=entry.lead,
            partners=entry.partners,
        )
        return _PlannedReport(report, entry.topic)

    def _force_report(self, report_type: ReportType) -> _PlannedReport:
        rng = self.rng
        words = self.words
        published_on = _publication_date(rng, self.today)
        force = self.body.force.name
        marking = Marking.OFFICIAL
        if report_type == ReportType.PEEL:
            topic = words.peel_topic
            title = words.peel_title.format(cycle=words.peel_cycle(published_on), force=force)
        elif report_type == ReportType.FIRE:
            topic = rng.choice(words.fire_topics)
            year = published_on.year
            title = words.fire_title.format(
                place=_place(self.body), years=f"{year - 1}–{str(year + 1)[-2:]}"
            )
        else:
            topic = rng.choice(words.force_topics)
            template = (
                words.revisit_title if report_type == ReportType.REVISIT else words.force_title
            )
            title = template.format(topic=topic, force=force)
            if rng.random() < 0.1:
                marking = Marking.OFFICIAL_SENSITIVE
        report = self._new_report(
            report_type=report_type,
            title=unreserved(title),
            published_on=published_on,
            scope=Scope.FORCES,
            marking=marking,
        )
        return _PlannedReport(report, topic)

    def _grades(self, report: InspectionReport) -> None:
        if report.published_on < self.words.peel_five_tiers_from:
            areas, tiers = self.words.peel_pillars, self.words.peel_four_tiers
        else:
            areas, tiers = self.words.peel_areas, self.words.peel_five_tiers
        for position, area in enumerate(areas):
            self.rows.grades.append(
                PeelGrade(
                    report=report, area=area, grade=_weighted(self.rng, tiers), position=position
                )
            )

    # Findings --------------------------------------------------------------------------

    def _kinds(self, report_type: ReportType, count: int) -> list[str]:
        """The report's findings in order: a cause of concern is followed by one to three
        recommendations; a report with findings has at least one to act on."""
        blocks = self.words.blocks[report_type]
        afi_weight = dict(blocks)[AFI]
        kinds: list[str] = []
        while len(kinds) < count:
            left = count - len(kinds)
            block = _weighted(self.rng, blocks)
            if block == CONCERN and left >= 2:
                kinds += [CONCERN] + [RECOMMENDATION] * min(left - 1, self.rng.randint(1, 3))
            elif block == PRACTICE and count >= 3:
                kinds.append(PRACTICE)
            elif block in (AFI, PRACTICE) and afi_weight > 0:
                kinds.append(AFI)
            else:
                kinds.append(RECOMMENDATION)
        if all(k == PRACTICE for k in kinds):
            kinds[-1] = AFI
        return kinds

    def _findings(self, planned: _PlannedReport, count: int) -> None:
        rng = self.rng
        words = self.words
        report = planned.report
        report_type = ReportType(report.report_type)
        subject = words.subjects[report_type]
        numbers: dict[str, int] = defaultdict(int)
        concern: Finding | None = None
        for position, kind in enumerate(self._kinds(report_type, count)):
            numbers[kind] += 1
            topic = planned.topic
            if report_type == ReportType.PEEL:
                topic = rng.choice(words.peel_areas).lower()
            finding = Finding(report=report, position=position)
            codes: tuple[str, ...] = ()
            if kind == CONCERN:
                finding.kind = FindingKind.CAUSE_OF_CONCERN
                finding.reference = f"Cause of concern {numbers[kind]}"
                finding.text = (
                    f"There is a cause of concern about {topic} in {subject.where}: "
                    f"{rng.choice(words.concern_problems)}."
                )
                concern = finding
                self.rows.concerns.append(finding)
            elif kind == RECOMMENDATION:
                group = _weighted(rng, words.addressees[report_type])
                codes = group.codes
                finding.kind = FindingKind.RECOMMENDATION
                finding.reference = f"Recommendation {numbers[kind]}"
                finding.cause_of_concern = concern
                self._recommendation_text(finding, group, topic)
            elif kind == AFI:
                codes = ("fire-chiefs",) if report_type == ReportType.FIRE else ()
                concern = None
                finding.kind = FindingKind.AREA_FOR_IMPROVEMENT
                finding.reference = f"AFI {numbers[kind]}"
                finding.text = (
                    f"{subject.subject} should improve the way work on {topic} is "
                    f"{rng.choice(words.afi_participles)}."
                )
            else:
                concern = None
                finding.kind = FindingKind.INNOVATIVE_PRACTICE
                finding.reference = f"Innovative practice {numbers[kind]}"
                finding.text = f"{subject.possessive} {rng.choice(words.practices)} for {topic}."
            if kind != CONCERN:
                self.rows.findings.append(finding)
            self._closure(finding)
            for code in codes:
                self.rows.addressee_links.append(
                    FindingAddressee(finding=finding, addressee=self.addressees[code])
                )
            # Finding.is_answerable, for a finding whose addressees are not saved yet.
            answerable = finding.kind == FindingKind.RECOMMENDATION and any(
                self.addressees[code].answerable for code in codes
            )
            planned.findings.append(_PlannedFinding(finding, topic, answerable))

    def _recommendation_text(self, finding: Finding, group: AddresseeGroup, topic: str) -> None:
        rng = self.rng
        published_on = finding.report.published_on
        deadline_spec = rng.choice(self.words.deadlines)
        deadline: dt.date | None
        if deadline_spec.written is None:
            if rng.random() < 0.5:  # no deadline at all
                written, deadline = "", None
            else:
                deadline = dt.date(published_on.year + 1, 3, 31)
                written = f"by {deadline.day} {deadline:%B %Y}"
        else:
            written = deadline_spec.written
            deadline = published_on + _days(deadline_spec.days)
        subject = self.words.subjects[ReportType(finding.report.report_type)]
        who = group.phrase
        if subject.chief_constables and group.codes == ("chief-constables",):
            who = subject.chief_constables
        clause = rng.choice(self.words.recommendation_clauses).format(topic=topic)
        sentence = f"{written}, {who} should {clause}." if written else f"{who} should {clause}."
        finding.text = sentence[0].upper() + sentence[1:]
        finding.deadline_text = written
        finding.deadline = deadline

    def _closure(self, finding: Finding) -> None:
        """The inspectorate's status and the three closure facts: older findings are more
        often closed, and the three facts do not always agree."""
        rng = self.rng
        words = self.words
        published_on = finding.report.published_on
        age = (self.today - published_on).days
        if finding.kind == FindingKind.INNOVATIVE_PRACTICE:
            finding.inspectorate_status = InspectorateStatus.NO_FURTHER_ACTION
            return
        closed = rng.random() < min(0.92, 0.1 + age / 365 * 0.22)
        if closed:
            finding.inspectorate_status = _weighted(rng, words.closed_statuses)
        elif age < 90:
            finding.inspectorate_status = _weighted(rng, words.open_new_statuses)
        else:
            finding.inspectorate_status = _weighted(rng, words.open_older_statuses)
        force_done = rng.random() < (0.95 if closed else 0.25 if age > 180 else 0.0)
        if not force_done:
            return
        earliest = published_on + _days(60)
        finding.force_complete_on = _between(rng, earliest, min(self.today, earliest + _days(800)))
        if rng.random() < (0.85 if closed else 0.4):
            assured = _between(
                rng,
                finding.force_complete_on,
                min(self.today, finding.force_complete_on + _days(120)),
            )
            finding.body_assured_on = assured
            levels = words.closed_assurance if closed else words.open_assurance
            finding.assurance_level = _weighted(rng, levels)

    # Responses -------------------------------------------------------------------------

    def _response(self, planned: _PlannedReport) -> None:
        rng = self.rng
        words = self.words
        report = planned.report
        due_on = report.response_due_on
        if due_on is None:
            return  # no statutory comment duty: tracked through actions only
        # Most reports get a response; a body's first one always does.
        if self.rows.responses and rng.random() >= 0.92:
            return
        published_on = report.published_on
        age = (self.today - published_on).days
        response = Response(
            body=self.body,
            report=report,
            due_on=due_on,
            marking=report.marking,
        )
        planned.response = response
        self.rows.responses.append(response)
        national = report.report_type in (ReportType.NATIONAL_THEMATIC, ReportType.JOINT)
        if national and rng.random() < 0.06:
            response.status = ResponseStatus.NO_RESPONSE_NEEDED
            response.no_response_reason = rng.choice(words.no_response_reasons)
            return
        if self.today <= due_on:  # within the statutory window
            # Most are published close to the deadline, so few are closed before it.
            window = (due_on - published_on).days
            progress = age / window * len(OPEN_STAGES) + rng.uniform(-1.5, 0.8)
            status = STAGES[min(len(OPEN_STAGES), max(0, int(progress)))]
        elif age <= 200 and rng.random() < 0.4:  # overdue
            status = rng.choice(OPEN_STAGES)
        else:
            status = _weighted(rng, words.published_statuses)
        response.status = status
        reached = STAGES.index(status)
        if status in PUBLISHED_STATUSES:
            # Most in the last four weeks before the due date; the late ones within weeks.
            if rng.random() < 0.85:
                earliest, latest = due_on - _days(26), due_on
            else:
                earliest, latest = due_on + _days(1), due_on + _days(74)
            publish_on = _between(rng, earliest, min(latest, self.today))
        else:
            publish_on = self.today
        if reached >= STAGES.index(ResponseStatus.COMMENTS_REQUESTED):
            response.chief_invited_on = _between(
                rng, published_on + _days(1), min(publish_on, published_on + _days(5))
            )
            response.chief_reply_by = response.chief_invited_on + _days(21)
        if reached >= STAGES.index(ResponseStatus.COMMENTS_RECEIVED):
            assert response.chief_invited_on is not None
            response.chief_comments_received_on = _between(
                rng,
                response.chief_invited_on,
                min(publish_on, response.chief_invited_on + _days(28)),
            )
            response.chief_comments = rng.choice(words.chief_comments)
        if reached >= STAGES.index(ResponseStatus.READY_FOR_APPROVAL) or rng.random() < 0.3:
            response.comments = rng.choice(words.comments)
        if reached >= STAGES.index(ResponseStatus.APPROVED):
            assert response.chief_comments_received_on is not None
            response.approved_by = self.members.approver
            approved_on = _between(rng, response.chief_comments_received_on, publish_on)
            response.approved_at = self._at(approved_on)
            response.signatory_name = self.signatory
            response.signatory_role = words.signatory_roles[PolicingBody.Kind(self.body.kind)]
        if reached >= STAGES.index(ResponseStatus.PUBLISHED):
            response.published_on = publish_on
            response.published_url = words.published_url.format(
                body=self.key, reference=report.reference
            )
        if status == ResponseStatus.COPIES_SENT:
            sent = _between(rng, publish_on, min(self.today, publish_on + _days(7)))
            response.copy_to_inspectorate_on = sent
            response.copy_to_home_secretary_on = sent
        answerable = [f for f in planned.findings if f.answerable]
        if not answerable and reached >= STAGES.index(ResponseStatus.APPROVED):
            response.closing_line = words.closing_line
        self._entries(response, status, answerable)

    def _entries(
        self, response: Response, status: ResponseStatus, answerable: list[_PlannedFinding]
    ) -> None:
        """Approved and published responses answer every recommendation to the force or the
        body (s55(5B)); drafts answer some; one in five sent for approval misses one."""
        rng = self.rng
        reached = STAGES.index(status)
        if reached >= STAGES.index(ResponseStatus.APPROVED):
            chosen = answerable
        elif status == ResponseStatus.READY_FOR_APPROVAL:
            chosen = answerable
            if len(answerable) > 1 and rng.random() < 0.2:
                missing = rng.choice(answerable)
                chosen = [f for f in answerable if f is not missing]
        else:
            share = rng.uniform(0.0, 1.0) if status == ResponseStatus.DRAFT else 0.7
            chosen = [f for f in answerable if rng.random() < share]
        for planned in chosen:
            answer = _weighted(rng, self.words.answers)
            self.rows.entries.append(
                ResponseEntry(
                    response=response,
                    finding=planned.finding,
                    answer=answer,
                    text=rng.choice(self.words.answer_texts[answer]),
                )
            )

    # Actions and progress updates ------------------------------------------------------

    def _actions(self, reports: list[_PlannedReport]) -> None:
        rng = self.rng
        actionable = [(p, f) for p in reports for f in p.findings if f.actionable]
        weights = {
            FindingKind.RECOMMENDATION: 3.0,
            FindingKind.CAUSE_OF_CONCERN: 2.0,
            FindingKind.AREA_FOR_IMPROVEMENT: 1.0,
        }
        # Every finding to act on gets one action before any gets a second.
        primaries = actionable[: self.quota.actions]
        extra = self.quota.actions - len(primaries)
        if extra > 0:
            primaries += rng.choices(
                actionable, [weights[FindingKind(f.finding.kind)] for _, f in actionable], k=extra
            )
        planned = [self._action(report, finding) for report, finding in primaries]
        planned.sort(key=lambda a: a[0].start_on)  # pks follow the order actions began in
        counts = allocate(
            self.quota.updates,
            [((self.today - a.start_on).days + 30) * rng.uniform(0.5, 1.5) for a, _ in planned],
            1,
        )
        for (action, findings), count in zip(planned, counts, strict=True):
            self.rows.actions.append(action)
            for finding in findings:
                self.rows.action_links.append(
                    ActionFinding(assuranceaction=action, finding=finding)
                )
            self._updates(action, count)

    def _action(
        self, report: _PlannedReport, primary: _PlannedFinding
    ) -> tuple[AssuranceAction, list[Finding]]:
        rng = self.rng
        words = self.words
        today = self.today
        siblings = [f for f in report.findings if f.actionable and f is not primary]
        more = min(len(siblings), _weighted(rng, words.more_findings))
        findings = [primary.finding] + [f.finding for f in rng.sample(siblings, more)]
        published_on = report.report.published_on
        start_on = min(today, published_on + _days(rng.randint(7, 120)))
        target_on = start_on + _days(rng.randint(45, 540 if rng.random() < 0.85 else 1100))
        if target_on < today:
            years_late = (today - target_on).days / 365
            still_open = max(0.03, 0.25 - years_late * 0.08)  # long-late work gets closed
            outcome = _weighted(rng, [("complete", 0.75), ("grey", 0.06), ("open", still_open)])
        else:
            outcome = _weighted(rng, [("complete", 0.08), ("grey", 0.04), ("open", 0.88)])
        fire = report.report.report_type == ReportType.FIRE
        action = AssuranceAction(
            body=self.body,
            title=rng.choice(words.action_titles).format(topic=primary.topic),
            description=words.action_description.format(
                reference=primary.finding.reference, title=report.report.title
            ),
            force_lead=rng.choice(words.fire_leads if fire else words.force_leads),
            start_on=start_on,
            target_on=target_on,
            original_target_on=target_on,
            forum="" if rng.random() < 0.1 else rng.choice(MEETING_FORUMS),
        )
        response = report.response
        if response and response.status != ResponseStatus.NO_RESPONSE_NEEDED:
            action.response = response if rng.random() < 0.85 else None
        if outcome == "complete":
            action.status = ActionStatus.COMPLETE
            action.percent_complete = 100
            latest = max(start_on, min(today, target_on + _days(rng.randint(-90, 60))))
            action.completed_on = _between(rng, min(start_on + _days(14), today), latest)
            action.assurance_level = _weighted(rng, words.complete_assurance)
            action.assurance_evidence = rng.choice(words.assurance_evidence)
        elif outcome == "grey":
            action.status = ActionStatus.NOT_ADOPTED
        else:
            self._open_progress(action)
            if rng.random() < 0.15:
                action.assurance_level = AssuranceLevel.LIMITED
        unowned = 0.45 if action.status == ActionStatus.NOT_STARTED else 0.08
        action.owner = None if rng.random() < unowned else self.members.owner(rng)
        self._target_moves(action)
        return action, findings

    def _target_moves(self, action: AssuranceAction) -> None:
        """Some targets moved before reaching the one the action has now: a first target
        worked back from the moves, then each move made through the rule itself
        (AssuranceAction.move_target), on a day between the start and today (or the
        completion), shortly before the target it moves from. Where the moves do not fit
        between the start and today the action keeps its one target."""
        rng = self.slip_rng
        words = self.words
        count = _weighted(rng, words.target_moves)
        steps = [
            _days(rng.randint(21, 180))
            if _weighted(rng, words.target_move) == "later"
            else -_days(rng.randint(14, 60))
            for _ in range(count)
        ]
        targets = [action.target_on - sum(steps, dt.timedelta())]
        for step in steps:
            targets.append(targets[-1] + step)
        if not steps or min(targets) < action.start_on + _days(14):
            return
        latest = min(self.today, action.completed_on or self.today)
        earliest = action.start_on + _days(7)
        days: list[dt.date] = []
        for from_on in targets[:-1]:
            day = min(latest, max(earliest, from_on - _days(rng.randint(0, 45))))
            if day < earliest:
                return
            days.append(day)
            earliest = day + _days(1)
        action.target_on = action.original_target_on = targets[0]
        for to_on, day in zip(targets[1:], days, strict=True):
            by = self.members.editor if rng.random() < 0.8 else self.members.approver
            when = dt.datetime.combine(day, dt.time(rng.randint(9, 17)), tzinfo=self.tz)
            reason = rng.choice(words.target_change_reasons)
            self.rows.target_changes.append(
                action.move_target(to_on, reason=reason, by=by, at=when)
            )

    def _open_progress(self, action: AssuranceAction) -> None:
        """Percent complete and status for an open action. The RAG colour it should show
        is drawn first, then a percent that the RAG rule itself (AssuranceAction.rag) gives
        that colour: round numbers around its straight line first, then every percent in
        turn. Nothing here knows where the colours' boundaries lie, so the spread follows
        the rule when the rule changes. Where no percent gives the colour (a late action
        has one colour whatever its progress) any percent will do."""
        rng = self.rng
        if rng.random() < 0.08:  # the force says it is done; the office has yet to sign off
            action.percent_complete = 100
            action.status = ActionStatus.PENDING_SIGN_OFF
            return
        wanted = _weighted(rng, self.words.open_rag)
        signing_off = rng.random() < 0.5  # if it gets to 90% or more

        def coloured(percent: int) -> bool:
            _set_progress(action, percent, signing_off)
            return action.rag(self.today) == wanted

        line = float(rules.expected_percent(action.start_on, action.target_on, self.today))
        draws = (min(100, 5 * round(line * rng.uniform(0, 1.4) / 5)) for _ in range(PERCENT_DRAWS))
        percent = next((p for p in draws if coloured(p)), None)
        if percent is None:
            matching = [p for p in range(101) if coloured(p)]
            percent = rng.choice(matching) if matching else rng.randrange(0, 100, 5)
        _set_progress(action, percent, signing_off)

    def _updates(self, action: AssuranceAction, count: int) -> None:
        """Dated notes between the start and today (or just after completion), the percent
        rising to where the action stands; the last one records its status."""
        rng = self.rng
        end = self.today
        if action.completed_on is not None:
            end = min(end, action.completed_on + _days(14))
        span = max(0, (end - action.start_on).days)
        days = sorted(rng.randint(0, span) for _ in range(count))
        if action.completed_on is not None:
            days[-1] = span
        final = action.percent_complete
        author = self.members.writer(action.owner)
        for n, offset in enumerate(days, start=1):
            last = n == count
            percent = round(final * n / count) if final else 0
            if last:
                status = ActionStatus(action.status)
                text = self.words.final_update_texts.get(status) or rng.choice(
                    self.words.update_texts
                )
            else:
                status = ActionStatus.IN_PROGRESS if percent else ActionStatus.NOT_STARTED
                text = rng.choice(self.words.update_texts)
            self.rows.updates.append(
                ProgressUpdate(
                    action=action,
                    author=self.members.approver if last and rng.random() < 0.2 else author,
                    written_at=self._at(action.start_on + _days(offset)),
                    text=text,
                    percent_complete=percent,
                    status=status,
                )
            )


def _set_progress(action: AssuranceAction, percent: int, signing_off: bool) -> None:
    action.percent_complete = percent
    if percent == 0:
        action.status = ActionStatus.NOT_STARTED
    elif percent >= 90 and signing_off:
        action.status = ActionStatus.PENDING_SIGN_OFF
    else:
        action.status = ActionStatus.IN_PROGRESS


def _insert(rows: _BodyRows) -> None:
    """In dependency order, so each row's foreign keys point at rows already inserted."""
    InspectionReport.objects.bulk_create(rows.reports, batch_size=BATCH_SIZE)
    ReportPartner.objects.bulk_create(rows.report_partners, batch_size=BATCH_SIZE)
    ReportForce.objects.bulk_create(rows.report_forces, batch_size=BATCH_SIZE)
    PeelGrade.objects.bulk_create(rows.grades, batch_size=BATCH_SIZE)
    Finding.objects.bulk_create(rows.concerns, batch_size=BATCH_SIZE)
    Finding.objects.bulk_create(rows.findings, batch_size=BATCH_SIZE)
    FindingAddressee.objects.bulk_create(rows.addressee_links, batch_size=BATCH_SIZE)
    Response.objects.bulk_create(rows.responses, batch_size=BATCH_SIZE)
    ResponseEntry.objects.bulk_create(rows.entries, batch_size=BATCH_SIZE)
    AssuranceAction.objects.bulk_create(rows.actions, batch_size=BATCH_SIZE)
    ActionFinding.objects.bulk_create(rows.action_links, batch_size=BATCH_SIZE)
    ProgressUpdate.objects.bulk_create(rows.updates, batch_size=BATCH_SIZE)
    TargetChange.objects.bulk_create(rows.target_changes, batch_size=BATCH_SIZE)


def _members(bodies: list[PolicingBody], keys: dict[int, str], seed: int) -> dict[int, _Members]:
    """One scale user per role for every body, with an unusable password and no email
    address (so reminders never go to them)."""
    rng = random.Random(f"{seed}:users")
    words = vocabulary()
    UserModel = get_user_model()
    users: list[User] = []
    memberships: list[Membership] = []
    for body in bodies:
        for role in Role:
            user = UserModel(
                username=f"{USERNAME_PREFIX}{keys[body.pk]}-{role}",
                first_name=rng.choice(words.first_names),
                last_name=rng.choice(words.last_names),
            )
            user.set_unusable_password()
            users.append(user)
            memberships.append(
                Membership(user=user, body=body, role=role, job_title=words.job_titles[role])
            )
    UserModel.objects.bulk_create(users, batch_size=BATCH_SIZE)
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    by_body: dict[int, dict[Role, Membership]] = defaultdict(dict)
    for membership in memberships:
        by_body[membership.body_id][Role(membership.role)] = membership
    return {pk: _Members(roles) for pk, roles in by_body.items()}


def _keys(bodies: list[PolicingBody]) -> dict[int, str]:
    keys: dict[int, str] = {}
    for index, body in enumerate(bodies):
        key = body_key(body.slug)
        keys[body.pk] = key if key not in keys.values() else f"{key}-{index}"
    return keys


def _raw_delete(queryset: QuerySet[Any]) -> int:
    """One DELETE statement: no signals, so no history rows, and no cascade collection.
    Callers delete dependants first."""
    return queryset._raw_delete(queryset.db)


def _say(stdout: Writer | None, line: str) -> None:
    if stdout is not None:
        stdout.write(line + "\n")


def scale_reports() -> QuerySet[InspectionReport]:
    return InspectionReport.objects.filter(reference__startswith=REFERENCE_PREFIX)


def scale_users() -> QuerySet[User]:
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX)


def scale_data_exists() -> bool:
    return scale_reports().exists() or scale_users().exists()


def generate_scale_data(
    *,
    seed: int = 2026,
    scale: float = 1.0,
    today: dt.date | None = None,
    stdout: Writer | None = None,
) -> ScaleResult:
    """Build the data set. Refuses (ScaleDataExists) if scale data is already there:
    delete it first with delete_scale_data()."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"The scale must be more than 0 and at most {MAX_SCALE:g}.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    if scale_data_exists():
        raise ScaleDataExists("Scale data already exists: delete it first.")
    reference = load_reference_data()
    bodies = list(PolicingBody.objects.current(today).select_related("force").order_by("slug"))
    _say(stdout, f"Reference data: {reference.bodies} policing bodies, {len(bodies)} current.")

    national = random.Random(f"{seed}:national")
    totals = totals_for(scale, len(bodies))
    weights = [national.uniform(0.7, 1.3) for _ in bodies]
    reports = allocate(totals.reports, weights, 1)
    findings = allocate(totals.findings, weights, reports)
    actions = allocate(totals.actions, weights, 1)
    updates = allocate(totals.updates, weights, actions)
    catalogue = _national_catalogue(national, today, size=max(80, *reports))
    _say(
        stdout,
        f"Planned (seed {seed}, scale {scale:g}, today {today.isoformat()}): "
        f"{totals.reports:,} reports, {totals.findings:,} findings, "
        f"{totals.actions:,} actions, {totals.updates:,} progress updates.",
    )

    keys = _keys(bodies)
    with transaction.atomic():
        members = _members(bodies, keys, seed)
    roles = ", ".join(str(role.label).lower() for role in Role)
    _say(stdout, f"Users: {len(Role) * len(bodies)} (one per role per body: {roles}).")

    inspectorates = {i.code: i for i in Inspectorate.objects.all()}
    addressees = {a.code: a for a in Addressee.objects.all()}
    count: dict[str, int] = defaultdict(int)
    for number, body in enumerate(bodies):
        body_started = time.perf_counter()
        rows = _BodyPlanner(
            body=body,
            key=keys[body.pk],
            rng=random.Random(f"{seed}:{body.slug}"),
            slip_rng=random.Random(f"{seed}:{body.slug}:slippage"),
            today=today,
            members=members[body.pk],
            quota=_Quota(reports[number], findings[number], actions[number], updates[number]),
            catalogue=catalogue,
            inspectorates=inspectorates,
            addressees=addressees,
        ).plan()
        with transaction.atomic():
            _insert(rows)
        for f in fields(rows):
            count[f.name] += len(getattr(rows, f.name))
        _say(
            stdout,
            f"  [{number + 1:>2}/{len(bodies)}] {body.name}: reports {len(rows.reports)}, "
            f"findings {len(rows.concerns) + len(rows.findings):,}, "
            f"responses {len(rows.responses)}, actions {len(rows.actions):,}, "
            f"updates {len(rows.updates):,} ({time.perf_counter() - body_started:.2f} s)",
        )

    result = ScaleResult(
        seed=seed,
        scale=scale,
        today=today,
        bodies=len(bodies),
        users=len(Role) * len(bodies),
        reports=count["reports"],
        grades=count["grades"],
        findings=count["concerns"] + count["findings"],
        addressee_links=count["addressee_links"],
        responses=count["responses"],
        entries=count["entries"],
        actions=count["actions"],
        action_links=count["action_links"],
        updates=count["updates"],
        seconds=time.perf_counter() - started,
        target_changes=count["target_changes"],
    )
    _say(
        stdout,
        f"Created {result.reports:,} reports ({result.grades:,} PEEL grades), "
        f"{result.findings:,} findings ({result.addressee_links:,} addressee links), "
        f"{result.responses:,} responses with {result.entries:,} entries, "
        f"{result.actions:,} actions ({result.action_links:,} finding links, "
        f"{result.target_changes:,} moves of a target date) and "
        f"{result.updates:,} progress updates for {result.bodies} bodies "
        f"in {result.seconds:.1f} s.",
    )
    return result


@dataclass(frozen=True)
class DeleteResult:
    reports: int
    findings: int
    responses: int
    actions: int
    updates: int
    users: int


def delete_scale_data(*, stdout: Writer | None = None) -> DeleteResult:
    """Remove the scale reports, everything hanging off them, the actions that serve
    them (any action linked to a scale finding or response) and the scale users. Raw
    deletes in dependency order: no cascade collection, no history rows."""
    started = time.perf_counter()
    reports = scale_reports()
    findings = Finding.objects.filter(report__in=reports)
    responses = Response.objects.filter(report__in=reports)
    with transaction.atomic():
        users = list(scale_users().values_list("pk", flat=True))
        generated = AssuranceAction.objects.filter(
            Q(findings__in=findings) | Q(response__in=responses)
        )
        action_ids = sorted(set(generated.values_list("pk", flat=True)))
        updates = 0
        for start in range(0, len(action_ids), 900):
            chunk = action_ids[start : start + 900]
            updates += _raw_delete(ProgressUpdate.objects.filter(action_id__in=chunk))
            _raw_delete(TargetChange.objects.filter(action_id__in=chunk))
            Evidence.objects.filter(action_id__in=chunk).delete()  # files stay: none are made
            _raw_delete(ActionFinding.objects.filter(assuranceaction_id__in=chunk))
            _raw_delete(AssuranceAction.objects.filter(pk__in=chunk))
        AssuranceAction.objects.filter(response__in=responses).update(response=None)
        _raw_delete(ActionFinding.objects.filter(finding__in=findings))
        _raw_delete(
            ResponseEntry.objects.filter(Q(response__in=responses) | Q(finding__in=findings))
        )
        # Editions of generated responses (made by backfill_editions, if it ran) go too;
        # their files are left for the storage's own cleanup.
        _raw_delete(ResponseEdition.objects.filter(response__in=responses))
        response_count = _raw_delete(responses)
        _raw_delete(FindingAddressee.objects.filter(finding__in=findings))
        Finding.objects.filter(cause_of_concern__in=findings).exclude(report__in=reports).update(
            cause_of_concern=None
        )
        finding_count = _raw_delete(findings)
        _raw_delete(PeelGrade.objects.filter(report__in=reports))
        _raw_delete(ReportPartner.objects.filter(inspectionreport__in=reports))
        _raw_delete(ReportForce.objects.filter(inspectionreport__in=reports))
        report_count = _raw_delete(reports)
        _raw_delete(Membership.objects.filter(user_id__in=users))
        # Through the ORM: a handful of users, and it clears what else points at them.
        get_user_model().objects.filter(pk__in=users).delete()
    result = DeleteResult(
        reports=report_count,
        findings=finding_count,
        responses=response_count,
        actions=len(action_ids),
        updates=updates,
        users=len(users),
    )
    _say(
        stdout,
        f"Deleted scale data: {result.reports:,} reports, {result.findings:,} findings, "
        f"{result.responses:,} responses, {result.actions:,} actions, "
        f"{result.updates:,} progress updates and {result.users} users "
        f"in {time.perf_counter() - started:.1f} s.",
    )
    return result
