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

from .demo import REPORTS as DEMO_REPORTS
from .models import (
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
    ResponseEntry,
    ResponseStatus,
    Role,
    Scope,
)
from .reference_data import load_reference_data

REFERENCE_PREFIX = "SCALE-"
USERNAME_PREFIX = "scale-"
BATCH_SIZE = 5_000
YEARS = 10
MAX_SCALE = 10.0
RECENT_SHARE = 0.15
RECENT_DAYS = 120


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
# Vocabulary. Titles and texts are built from these; none is a quotation of a real report.

THEMATIC_TOPICS = [
    "vetting, misconduct and misogyny",
    "violence against women and girls",
    "digital forensics",
    "online child sexual abuse and exploitation",
    "neighbourhood policing",
    "burglary, robbery and other acquisitive crime",
    "stalking and harassment",
    "serious youth violence",
    "fraud",
    "roads policing",
    "people in mental health crisis",
    "modern slavery and human trafficking",
    "county lines exploitation",
    "the policing of protests",
    "race and policing",
    "the use of force",
    "crime data integrity",
    "emergency and non-emergency call handling",
    "the Victims' Code",
    "anti-social behaviour",
    "serious and organised crime",
    "child protection",
    "domestic abuse",
    "rape investigation",
    "initial police learning",
    "firearms licensing",
    "workforce wellbeing",
    "cyber-dependent crime",
    "hate crime",
    "missing children",
    "honour-based abuse",
    "counter-corruption",
]
THEMATIC_TITLES = [
    "An inspection of {topic}",
    "The police response to {topic}",
    "An inspection of how well the police tackle {topic}",
    "A follow-up inspection of {topic}",
]
JOINT_TOPICS = [
    "youth offending services",
    "the management of terrorist offenders",
    "witness care",
    "the disclosure of unused material",
    "evidence-led domestic abuse prosecutions",
    "police custody",
    "the handling of rape cases",
    "neurodiversity in the criminal justice system",
    "offender management in the community",
    "child criminal exploitation",
    "case file quality",
    "the experience of victims of crime",
]
FORCE_TOPICS = [
    "crime data integrity",
    "call handling",
    "custody",
    "child protection",
    "vetting",
    "counter-corruption",
    "the response to domestic abuse",
    "investigation standards",
    "stop and search",
    "missing people",
    "digital forensics",
    "rape investigation",
]
PEEL_AREAS = [
    "Engaging with and treating the public with fairness and respect",
    "Preventing crime and anti-social behaviour",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders and suspects",
    "Building, supporting and protecting the workforce",
    "Leadership and force management",
]
PEEL_PILLARS = ["Effectiveness", "Efficiency", "Legitimacy"]  # the grades before 2021/22
# Five tiers since PEEL 2021/22; four (no Adequate) before.
PEEL_FIVE_TIERS_FROM = dt.date(2021, 9, 1)
FIRE_TOPICS = [
    "preventing fires and other risks",
    "protecting the public through fire regulation",
    "responding to fires and other emergencies",
    "responding to major incidents",
    "promoting the right values and culture",
    "getting the right people with the right skills",
    "making the best use of resources",
]

# Who a report's findings speak of: (subject, possessive, "in ...").
SUBJECT = {
    ReportType.PEEL: ("The force", "The force's", "the force"),
    ReportType.FORCE: ("The force", "The force's", "the force"),
    ReportType.REVISIT: ("The force", "The force's", "the force"),
    ReportType.FIRE: ("The service", "The service's", "the service"),
    ReportType.NATIONAL_THEMATIC: ("Forces", "Forces'", "forces"),
    ReportType.JOINT: ("Forces and their partners", "Partners'", "the criminal justice system"),
}
ADDRESSEE_PHRASES = {
    ("chief-constables",): "chief constables",
    ("chief-constables", "policing-bodies"): (
        "chief constables and police and crime commissioners"
    ),
    ("policing-bodies",): "police and crime commissioners",
    ("home-office",): "the Home Office",
    ("npcc",): "the National Police Chiefs' Council",
    ("college-of-policing",): "the College of Policing",
    ("national-lead",): "the national policing lead",
    ("moj-hmpps",): "HM Prison and Probation Service",
    ("fire-chiefs",): "the chief fire officer",
    ("other",): "the agencies concerned",
}
RECOMMENDATION_CLAUSES = [
    "make sure work on {topic} is supervised and that supervisors record their reviews",
    "put in place a plan to improve {topic}, with measures that can be followed",
    "make sure data about {topic} is accurate and used to manage performance",
    "make sure officers and staff working on {topic} are trained, and the training refreshed",
    "make sure victims are kept informed where their case involves {topic}",
    "review the resources given to {topic} and act on what the review finds",
    "make sure governance of {topic} is clear, with a named chief officer lead",
    "work with partners to improve the response to {topic}",
]
CONCERN_PROBLEMS = [
    "supervision is inconsistent and risks are missed",
    "demand is not understood and backlogs are growing",
    "victims do not always get the service they should",
    "records are incomplete, so leaders cannot see the risk",
    "too few trained staff are available to meet demand",
]
AFI_PARTICIPLES = [
    "supervised",
    "recorded and reviewed",
    "planned against demand",
    "quality-assured",
    "resourced",
    "explained to the public",
]
PRACTICES = [
    "multi-agency problem-solving hub",
    "use of data analytics",
    "victim feedback panel",
    "joint training with partners",
    "peer review scheme",
]
DEADLINES: list[
    tuple[str | None, int | None]
] = [  # (as written, days after publication); None: a dated "by" deadline
    ("immediately", 0),
    ("within three months", 91),
    ("within six months", 182),
    ("within six months", 182),
    ("within 12 months", 365),
    (None, None),
]
COMMENTS = [
    "I welcome this report and the clarity it gives on where improvement is needed. I have "
    "set out below the action the Chief Constable has taken or will take on each "
    "recommendation, and how I will hold the force to account for it.",
    "This report matters to every resident. I have asked the Chief Constable for assurance "
    "on each recommendation and will follow progress at my accountability board.",
    "I am pleased the inspectorate has recognised the progress made, and I will keep "
    "seeking assurance that it continues.",
    "The findings are serious and I accept them in full. The force has a plan, and my "
    "office will scrutinise its delivery every quarter.",
]
CHIEF_COMMENTS = [
    "The Chief Constable welcomes the report and accepts its findings. A delivery group "
    "chaired by an assistant chief constable is taking the recommendations forward.",
    "The force accepts the recommendations. Several are already complete; the remainder are "
    "in the force improvement plan with named leads.",
    "The force notes the report. Its findings are consistent with our own reviews and work "
    "is already under way.",
]
NO_RESPONSE_REASONS = [
    "The force is not a subject of this report and none of its recommendations is "
    "addressed to the force or the body.",
    "The force's own inspection report covers these findings; the response to that report "
    "answers them.",
]
ANSWER_TEXTS = {
    ResponseEntry.Answer.TAKEN: [
        "The force has done this: compliance is audited monthly and reported to the "
        "accountability board.",
        "A new policy is in place and training is complete; the office dip-sampled files "
        "to confirm it.",
        "Completed: the force now publishes the measure quarterly.",
    ],
    ResponseEntry.Answer.PROPOSED: [
        "The force will complete this within six months; the office will review progress at "
        "the accountability board.",
        "A plan with a named lead is agreed; the first progress report is due next quarter.",
        "The force is commissioning a review and will act on it; the office will ask for "
        "evidence before closing it.",
    ],
    ResponseEntry.Answer.NONE: [
        "No further action: the force already meets this standard, as the latest audit shows.",
        "No separate action: the force's response to an earlier recommendation covers this.",
    ],
}
ACTION_TITLES = [
    "Audit of {topic}",
    "Delivery plan: {topic}",
    "Board scrutiny of {topic}",
    "Dip sample: {topic}",
    "Quarterly performance report on {topic}",
    "Assurance visit: {topic}",
    "Training completion for {topic}",
    "Policy review: {topic}",
]
FORCE_LEADS = [
    "Deputy Chief Constable",
    "Assistant Chief Constable (Operations)",
    "Assistant Chief Constable (Crime)",
    "Head of Professional Standards",
    "Chief Superintendent, Public Protection",
    "Director of Finance and Resources",
    "",
]
FIRE_LEADS = ["Deputy Chief Fire Officer", "Assistant Chief Fire Officer", ""]
UPDATE_TEXTS = [
    "Force lead confirmed and a delivery plan agreed with the office.",
    "Progress reported to the board; risks to delivery discussed.",
    "The office dip-sampled cases and shared what it found with the force lead.",
    "Training rolled out to the teams concerned.",
    "Performance data for the quarter shows improvement.",
    "Delay reported: the work depends on a new IT system.",
    "Revised plan agreed after the board asked for more detail.",
    "Evidence of progress submitted to the office.",
    "The office reviewed the evidence and asked for a further audit.",
]
FINAL_UPDATE_TEXTS = {
    ActionStatus.COMPLETE: "Signed off at the board: the office is assured the work is done.",
    ActionStatus.NOT_ADOPTED: "Not adopted: the board agreed other work meets the finding.",
    ActionStatus.NOT_STARTED: "Logged; work has not started yet.",
    ActionStatus.PENDING_SIGN_OFF: "Force reports the work complete; evidence awaits sign-off.",
}
ASSURANCE_EVIDENCE = [
    "Audit report and board minutes.",
    "Dip sample of 30 cases by the office.",
    "Performance data for two quarters and the force lead's report.",
]
FIRST_NAMES = ["Sam", "Alex", "Jo", "Priya", "Tom", "Aisha", "Chris", "Megan", "Dev", "Ruth"]
LAST_NAMES = ["Hughes", "Patel", "Jones", "Evans", "Khan", "Taylor", "Wright", "Murphy", "Shah"]
JOB_TITLES = {
    Role.EDITOR: "Policy and scrutiny officer",
    Role.APPROVER: "Chief executive",
    Role.ANALYST: "Performance analyst",
}
SIGNATORY_ROLES = {
    PolicingBody.Kind.PCC: "Police and Crime Commissioner",
    PolicingBody.Kind.PFCC: "Police, Fire and Crime Commissioner",
    PolicingBody.Kind.MAYOR: "Deputy Mayor for Policing and Crime",
    PolicingBody.Kind.POLICE_AUTHORITY: "Chair of the Police Authority Board",
}

REPORT_TYPE_WEIGHTS = {
    ReportType.PEEL: 0.16,
    ReportType.NATIONAL_THEMATIC: 0.34,
    ReportType.JOINT: 0.14,
    ReportType.FORCE: 0.14,
    ReportType.REVISIT: 0.10,
    ReportType.FIRE: 0.20,  # only for bodies with fire governance
}
# How many findings a report of each type has, relative to the others.
FINDING_WEIGHTS = {
    ReportType.PEEL: 2.5,
    ReportType.NATIONAL_THEMATIC: 1.2,
    ReportType.JOINT: 1.0,
    ReportType.FORCE: 1.0,
    ReportType.REVISIT: 0.4,
    ReportType.FIRE: 1.2,
}
# The blocks a report's findings are made of: a cause of concern always comes with
# recommendations; areas for improvement and innovative practice stand alone.
CONCERN, RECOMMENDATION, AFI, PRACTICE = "concern", "recommendation", "afi", "practice"
BLOCK_WEIGHTS = {
    ReportType.PEEL: (0.05, 0.05, 0.82, 0.08),
    ReportType.NATIONAL_THEMATIC: (0.04, 0.81, 0.12, 0.03),
    ReportType.JOINT: (0.05, 0.81, 0.10, 0.04),
    ReportType.FORCE: (0.10, 0.50, 0.35, 0.05),
    ReportType.REVISIT: (0.05, 0.80, 0.15, 0.0),
    ReportType.FIRE: (0.08, 0.10, 0.75, 0.07),
}
FORCE_ADDRESSEES: list[tuple[tuple[str, ...], float]] = [
    (("chief-constables",), 0.85),
    (("chief-constables", "policing-bodies"), 0.15),
]
NATIONAL_ADDRESSEES: list[tuple[tuple[str, ...], float]] = [
    (("chief-constables",), 0.45),
    (("chief-constables", "policing-bodies"), 0.15),
    (("policing-bodies",), 0.05),
    (("home-office",), 0.10),
    (("npcc",), 0.10),
    (("college-of-policing",), 0.08),
    (("national-lead",), 0.05),
    (("other",), 0.02),
]
JOINT_ADDRESSEES: list[tuple[tuple[str, ...], float]] = [
    (("chief-constables",), 0.40),
    (("chief-constables", "policing-bodies"), 0.05),
    (("moj-hmpps",), 0.25),
    (("national-lead",), 0.10),
    (("home-office",), 0.10),
    (("other",), 0.10),
]
ANSWERABLE_CODES = frozenset({"chief-constables", "policing-bodies"})
OPEN_RESPONSE_STAGES = [
    ResponseStatus.DRAFT,
    ResponseStatus.COMMENTS_REQUESTED,
    ResponseStatus.COMMENTS_RECEIVED,
    ResponseStatus.READY_FOR_APPROVAL,
    ResponseStatus.APPROVED,
]
STAGES = [*OPEN_RESPONSE_STAGES, ResponseStatus.PUBLISHED, ResponseStatus.COPIES_SENT]


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


# load_demo finds its reports by body and title: a generated report with one of its titles
# would be taken for the demo's own, and the demo's actions hung on scale findings.
DEMO_TITLES = frozenset(spec.title for spec in DEMO_REPORTS)


def unreserved(title: str) -> str:
    return f"{title}: a follow-up inspection" if title in DEMO_TITLES else title


def _peel_cycle(day: dt.date) -> str:
    if day < PEEL_FIVE_TIERS_FROM:
        return f"PEEL {day.year}"
    if day < dt.date(2023, 4, 1):
        return "PEEL 2021/22"
    if day < dt.date(2025, 4, 1):
        return "PEEL 2023–25"
    return "PEEL 2025–27"


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
    thematics = []
    for _ in range(size):
        topic = rng.choice(THEMATIC_TOPICS)
        partners: tuple[str, ...] = ("hmcpsi",) if rng.random() < 0.15 else ()
        thematics.append(
            _NationalReport(
                ReportType.NATIONAL_THEMATIC,
                unreserved(rng.choice(THEMATIC_TITLES).format(topic=topic)),
                topic,
                _publication_date(rng, today),
                "hmicfrs",
                partners,
            )
        )
    joints = []
    codes = ["hmicfrs", "hmi-probation", "hmi-prisons", "hmcpsi"]
    for _ in range(size):
        topic = rng.choice(JOINT_TOPICS)
        lead = rng.choice(codes)
        others = [c for c in codes if c != lead]
        partners = tuple(sorted(rng.sample(others, rng.randint(1, 2))))
        if lead != "hmicfrs" and "hmicfrs" not in partners:
            partners = ("hmicfrs", *partners)
        joints.append(
            _NationalReport(
                ReportType.JOINT,
                unreserved(f"Criminal justice joint inspection: {topic}"),
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
    editor: User
    approver: User
    analyst: User

    def owner(self, rng: random.Random) -> User:
        return _weighted(rng, [(self.editor, 0.6), (self.approver, 0.25), (self.analyst, 0.15)])


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
    ) -> None:
        self.body = body
        self.key = key
        self.rng = rng
        self.today = today
        self.members = members
        self.quota = quota
        self.catalogue = catalogue
        self.inspectorates = inspectorates
        self.addressees = addressees
        self.tz = timezone.get_default_timezone()
        self.rows = _BodyRows()
        self.signatory = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def plan(self) -> _BodyRows:
        reports = self._reports()
        counts = allocate(
            self.quota.findings,
            [
                FINDING_WEIGHTS[ReportType(p.report.report_type)] * self.rng.uniform(0.6, 1.4)
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
        weights = dict(REPORT_TYPE_WEIGHTS)
        if not _has_fire_governance(self.body):
            del weights[ReportType.FIRE]
        types = [_weighted(rng, list(weights.items())) for _ in range(self.quota.reports)]
        if all(t == ReportType.FIRE for t in types):
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
            summary="Generated scale data: not a real report.",
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
        published_on = _publication_date(rng, self.today)
        force = self.body.force.name
        marking = Marking.OFFICIAL
        if report_type == ReportType.PEEL:
            topic = "the force's performance"
            # Not the demo's "PEEL ...: Police effectiveness ... - <force>" form: its
            # Thames Valley title is not in REPORTS, so DEMO_TITLES cannot guard it.
            title = (
                f"{_peel_cycle(published_on)} Police effectiveness, efficiency and "
                f"legitimacy: An inspection of {force}"
            )
        elif report_type == ReportType.FIRE:
            topic = rng.choice(FIRE_TOPICS)
            year = published_on.year
            title = (
                f"{_place(self.body)} Fire and Rescue Service: Effectiveness, efficiency and "
                f"people {year - 1}–{str(year + 1)[-2:]}"
            )
        else:
            topic = rng.choice(FORCE_TOPICS)
            if report_type == ReportType.REVISIT:
                title = f"Revisit of the cause of concern on {topic} – {force}"
            else:
                title = f"An inspection of {topic} in {force}"
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
        G = PeelGrade.Grade
        if report.published_on < PEEL_FIVE_TIERS_FROM:
            areas = PEEL_PILLARS
            tiers = [(G.OUTSTANDING, 0.07), (G.GOOD, 0.55), (G.REQUIRES_IMPROVEMENT, 0.33)]
            tiers.append((G.INADEQUATE, 0.05))
        else:
            areas = PEEL_AREAS
            tiers = [(G.OUTSTANDING, 0.05), (G.GOOD, 0.30), (G.ADEQUATE, 0.35)]
            tiers += [(G.REQUIRES_IMPROVEMENT, 0.25), (G.INADEQUATE, 0.05)]
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
        weights = BLOCK_WEIGHTS[report_type]
        kinds: list[str] = []
        while len(kinds) < count:
            left = count - len(kinds)
            block = self.rng.choices((CONCERN, RECOMMENDATION, AFI, PRACTICE), weights)[0]
            if block == CONCERN and left >= 2:
                kinds += [CONCERN] + [RECOMMENDATION] * min(left - 1, self.rng.randint(1, 3))
            elif block == PRACTICE and count >= 3:
                kinds.append(PRACTICE)
            elif block in (AFI, PRACTICE) and weights[2] > 0:
                kinds.append(AFI)
            else:
                kinds.append(RECOMMENDATION)
        if all(k == PRACTICE for k in kinds):
            kinds[-1] = AFI
        return kinds

    def _findings(self, planned: _PlannedReport, count: int) -> None:
        rng = self.rng
        report = planned.report
        report_type = ReportType(report.report_type)
        numbers: dict[str, int] = defaultdict(int)
        concern: Finding | None = None
        for position, kind in enumerate(self._kinds(report_type, count)):
            numbers[kind] += 1
            topic = planned.topic
            if report_type == ReportType.PEEL:
                topic = rng.choice(PEEL_AREAS).lower()
            subject, possessive, where = SUBJECT[report_type]
            finding = Finding(report=report, position=position)
            codes: tuple[str, ...] = ()
            if kind == CONCERN:
                finding.kind = FindingKind.CAUSE_OF_CONCERN
                finding.reference = f"Cause of concern {numbers[kind]}"
                finding.text = (
                    f"There is a cause of concern about {topic} in {where}: "
                    f"{rng.choice(CONCERN_PROBLEMS)}."
                )
                concern = finding
                self.rows.concerns.append(finding)
            elif kind == RECOMMENDATION:
                codes = self._addressees(report_type)
                finding.kind = FindingKind.RECOMMENDATION
                finding.reference = f"Recommendation {numbers[kind]}"
                finding.cause_of_concern = concern
                self._recommendation_text(finding, codes, topic)
            elif kind == AFI:
                codes = ("fire-chiefs",) if report_type == ReportType.FIRE else ()
                concern = None
                finding.kind = FindingKind.AREA_FOR_IMPROVEMENT
                finding.reference = f"AFI {numbers[kind]}"
                finding.text = (
                    f"{subject} should improve the way work on {topic} is "
                    f"{rng.choice(AFI_PARTICIPLES)}."
                )
            else:
                concern = None
                finding.kind = FindingKind.INNOVATIVE_PRACTICE
                finding.reference = f"Innovative practice {numbers[kind]}"
                finding.text = f"{possessive} {rng.choice(PRACTICES)} for {topic}."
            if kind != CONCERN:
                self.rows.findings.append(finding)
            self._closure(finding)
            for code in codes:
                self.rows.addressee_links.append(
                    FindingAddressee(finding=finding, addressee=self.addressees[code])
                )
            answerable = kind == RECOMMENDATION and bool(ANSWERABLE_CODES & set(codes))
            planned.findings.append(_PlannedFinding(finding, topic, answerable))

    def _addressees(self, report_type: ReportType) -> tuple[str, ...]:
        if report_type == ReportType.FIRE:
            return ("fire-chiefs",)
        if report_type == ReportType.NATIONAL_THEMATIC:
            return _weighted(self.rng, NATIONAL_ADDRESSEES)
        if report_type == ReportType.JOINT:
            return _weighted(self.rng, JOINT_ADDRESSEES)
        return _weighted(self.rng, FORCE_ADDRESSEES)

    def _recommendation_text(self, finding: Finding, codes: tuple[str, ...], topic: str) -> None:
        rng = self.rng
        published_on = finding.report.published_on
        written, days = rng.choice(DEADLINES)
        if written is None:
            if rng.random() < 0.5:  # no deadline at all
                written, deadline = "", None
            else:
                deadline = dt.date(published_on.year + 1, 3, 31)
                written = f"by {deadline.day} {deadline:%B %Y}"
        else:
            deadline = published_on + _days(days or 0)
        who = ADDRESSEE_PHRASES[codes]
        if finding.report.report_type in (ReportType.PEEL, ReportType.FORCE, ReportType.REVISIT):
            who = "the force" if codes == ("chief-constables",) else who
        clause = rng.choice(RECOMMENDATION_CLAUSES).format(topic=topic)
        sentence = f"{written}, {who} should {clause}." if written else f"{who} should {clause}."
        finding.text = sentence[0].upper() + sentence[1:]
        finding.deadline_text = written
        finding.deadline = deadline

    def _closure(self, finding: Finding) -> None:
        """The inspectorate's status and the three closure facts: older findings are more
        often closed, and the three facts do not always agree."""
        rng = self.rng
        published_on = finding.report.published_on
        age = (self.today - published_on).days
        if finding.kind == FindingKind.INNOVATIVE_PRACTICE:
            finding.inspectorate_status = InspectorateStatus.NO_FURTHER_ACTION
            return
        closed = rng.random() < min(0.92, 0.1 + age / 365 * 0.22)
        if closed:
            finding.inspectorate_status = _weighted(
                rng,
                [
                    (InspectorateStatus.COMPLETE, 0.7),
                    (InspectorateStatus.NO_FURTHER_ACTION, 0.15),
                    (InspectorateStatus.SUPERSEDED, 0.15),
                ],
            )
        elif age < 90:
            finding.inspectorate_status = _weighted(
                rng,
                [
                    (InspectorateStatus.AWAITING_REVIEW, 0.7),
                    (InspectorateStatus.BEING_PROGRESSED, 0.3),
                ],
            )
        else:
            finding.inspectorate_status = _weighted(
                rng,
                [
                    (InspectorateStatus.AWAITING_REVIEW, 0.25),
                    (InspectorateStatus.BEING_PROGRESSED, 0.75),
                ],
            )
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
            levels = (
                [(AssuranceLevel.SUBSTANTIAL, 0.5), (AssuranceLevel.REASONABLE, 0.4)]
                if closed
                else [(AssuranceLevel.REASONABLE, 0.4), (AssuranceLevel.LIMITED, 0.5)]
            )
            finding.assurance_level = _weighted(rng, [*levels, (AssuranceLevel.NONE, 0.1)])

    # Responses -------------------------------------------------------------------------

    def _response(self, planned: _PlannedReport) -> None:
        rng = self.rng
        report = planned.report
        if report.report_type == ReportType.FIRE:
            return  # no statutory comment duty: tracked through actions only
        # Most reports get a response; a body's first one always does.
        if self.rows.responses and rng.random() >= 0.92:
            return
        published_on = report.published_on
        age = (self.today - published_on).days
        response = Response(
            body=self.body,
            report=report,
            marking=report.marking,
            publish_chief_comments=rng.random() < 0.9,
        )
        planned.response = response
        self.rows.responses.append(response)
        national = report.report_type in (ReportType.NATIONAL_THEMATIC, ReportType.JOINT)
        if national and rng.random() < 0.06:
            response.status = ResponseStatus.NO_RESPONSE_NEEDED
            response.no_response_reason = rng.choice(NO_RESPONSE_REASONS)
            return
        if age <= 55:  # within the statutory window
            # Most are published close to the deadline, so few are closed before it.
            progress = age / 55 * 5 + rng.uniform(-1.5, 0.8)
            stage = min(5, max(0, int(progress)))
            status = STAGES[stage]
        elif age <= 200 and rng.random() < 0.4:  # overdue
            status = rng.choice(OPEN_RESPONSE_STAGES)
        else:
            status = _weighted(
                rng, [(ResponseStatus.COPIES_SENT, 0.8), (ResponseStatus.PUBLISHED, 0.2)]
            )
        response.status = status
        reached = STAGES.index(status)
        if status in (ResponseStatus.PUBLISHED, ResponseStatus.COPIES_SENT):
            on_time = rng.random() < 0.85
            # Publication day is day 1 (s55(5A)): published on day d is published_on + d - 1.
            last = min(age + 1, 56 if on_time else 130)
            first_day = min(last, 30 if on_time else 57)
            publish_on = published_on + _days(rng.randint(first_day, last) - 1)
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
            response.chief_comments = rng.choice(CHIEF_COMMENTS)
        if reached >= STAGES.index(ResponseStatus.READY_FOR_APPROVAL) or rng.random() < 0.3:
            response.comments = rng.choice(COMMENTS)
        if reached >= STAGES.index(ResponseStatus.APPROVED):
            assert response.chief_comments_received_on is not None
            response.approved_by = self.members.approver
            approved_on = _between(rng, response.chief_comments_received_on, publish_on)
            response.approved_at = self._at(approved_on)
            response.signatory_name = self.signatory
            response.signatory_role = SIGNATORY_ROLES[PolicingBody.Kind(self.body.kind)]
        if reached >= STAGES.index(ResponseStatus.PUBLISHED):
            response.published_on = publish_on
            response.published_url = (
                f"https://www.example.org/{self.key}/inspection-responses/{report.reference}"
            )
        if status == ResponseStatus.COPIES_SENT:
            sent = _between(rng, publish_on, min(self.today, publish_on + _days(7)))
            response.copy_to_inspectorate_on = sent
            response.copy_to_home_secretary_on = sent
        answerable = [f for f in planned.findings if f.answerable]
        if not answerable and reached >= STAGES.index(ResponseStatus.APPROVED):
            response.closing_line = (
                "No recommendations were made for Chief Constables or Police and Crime "
                "Commissioners."
            )
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
            answer = _weighted(
                rng,
                [
                    (ResponseEntry.Answer.TAKEN, 0.45),
                    (ResponseEntry.Answer.PROPOSED, 0.45),
                    (ResponseEntry.Answer.NONE, 0.10),
                ],
            )
            self.rows.entries.append(
                ResponseEntry(
                    response=response,
                    finding=planned.finding,
                    answer=answer,
                    text=rng.choice(ANSWER_TEXTS[answer]),
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
        today = self.today
        siblings = [f for f in report.findings if f.actionable and f is not primary]
        more = min(len(siblings), _weighted(rng, [(0, 0.6), (1, 0.3), (2, 0.1)]))
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
        action = AssuranceAction(
            body=self.body,
            title=rng.choice(ACTION_TITLES).format(topic=primary.topic),
            description=(
                f"Assurance that the force acts on {primary.finding.reference} of "
                f"“{report.report.title}”."
            ),
            force_lead=rng.choice(
                FIRE_LEADS if report.report.report_type == ReportType.FIRE else FORCE_LEADS
            ),
            start_on=start_on,
            target_on=target_on,
            forum="" if rng.random() < 0.1 else rng.choice(list(Forum)),
        )
        response = report.response
        if response and response.status != ResponseStatus.NO_RESPONSE_NEEDED:
            action.response = response if rng.random() < 0.85 else None
        if outcome == "complete":
            action.status = ActionStatus.COMPLETE
            action.percent_complete = 100
            latest = max(start_on, min(today, target_on + _days(rng.randint(-90, 60))))
            action.completed_on = _between(rng, min(start_on + _days(14), today), latest)
            action.assurance_level = _weighted(
                rng,
                [
                    (AssuranceLevel.SUBSTANTIAL, 0.55),
                    (AssuranceLevel.REASONABLE, 0.35),
                    (AssuranceLevel.LIMITED, 0.10),
                ],
            )
            action.assurance_evidence = rng.choice(ASSURANCE_EVIDENCE)
        elif outcome == "grey":
            action.status = ActionStatus.NOT_ADOPTED
        else:
            self._open_progress(action)
            if rng.random() < 0.15:
                action.assurance_level = AssuranceLevel.LIMITED
        unowned = 0.45 if action.status == ActionStatus.NOT_STARTED else 0.08
        action.owner = None if rng.random() < unowned else self.members.owner(rng)
        return action, findings

    def _open_progress(self, action: AssuranceAction) -> None:
        """Percent complete for an open action, drawn to land on each RAG colour: behind
        a straight line from start to target date is amber or red, on it is green."""
        rng = self.rng
        today = self.today
        if action.target_on < today:
            percent = rng.choice((0, *range(10, 96, 5)))  # late: red whatever the percent
        else:
            elapsed = (today - action.start_on).days
            expected = 100 * elapsed / max(1, (action.target_on - action.start_on).days)
            pace = _weighted(
                rng,
                [
                    (rng.uniform(0.95, 1.4), 0.55),  # green
                    (rng.uniform(0.74, 0.86), 0.25),  # amber
                    (rng.uniform(0.0, 0.6), 0.20),  # red
                ],
            )
            percent = min(100, round(expected * pace))
        action.percent_complete = percent
        if rng.random() < 0.08:  # the force says it is done; the office has yet to sign off
            action.percent_complete = 100
            action.status = ActionStatus.PENDING_SIGN_OFF
        elif percent == 0:
            action.status = ActionStatus.NOT_STARTED
        elif percent >= 90 and rng.random() < 0.5:
            action.status = ActionStatus.PENDING_SIGN_OFF
        else:
            action.status = ActionStatus.IN_PROGRESS

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
        authors = [action.owner or self.members.editor, self.members.approver]
        for n, offset in enumerate(days, start=1):
            last = n == count
            percent = round(final * n / count) if final else 0
            if last:
                status = ActionStatus(action.status)
                text = FINAL_UPDATE_TEXTS.get(status) or rng.choice(UPDATE_TEXTS)
            else:
                status = ActionStatus.IN_PROGRESS if percent else ActionStatus.NOT_STARTED
                text = rng.choice(UPDATE_TEXTS)
            self.rows.updates.append(
                ProgressUpdate(
                    action=action,
                    author=authors[1] if last and rng.random() < 0.2 else authors[0],
                    written_at=self._at(action.start_on + _days(offset)),
                    text=text,
                    percent_complete=percent,
                    status=status,
                )
            )


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


def _members(bodies: list[PolicingBody], keys: dict[int, str], seed: int) -> dict[int, _Members]:
    """One scale user per role for every body, with an unusable password and no email
    address (so reminders never go to them)."""
    rng = random.Random(f"{seed}:users")
    UserModel = get_user_model()
    users: list[User] = []
    memberships: list[Membership] = []
    for body in bodies:
        for role in (Role.EDITOR, Role.APPROVER, Role.ANALYST):
            user = UserModel(
                username=f"{USERNAME_PREFIX}{keys[body.pk]}-{role}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
            )
            user.set_unusable_password()
            users.append(user)
            memberships.append(
                Membership(user=user, body=body, role=role, job_title=JOB_TITLES[role])
            )
    UserModel.objects.bulk_create(users, batch_size=BATCH_SIZE)
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    by_body: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        by_body[membership.body_id].append(membership.user)
    return {pk: _Members(*trio) for pk, trio in by_body.items()}


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
    _say(stdout, f"Users: {3 * len(bodies)} (an editor, an approver and an analyst per body).")

    inspectorates = {i.code: i for i in Inspectorate.objects.all()}
    addressees = {a.code: a for a in Addressee.objects.all()}
    count: dict[str, int] = defaultdict(int)
    for number, body in enumerate(bodies):
        body_started = time.perf_counter()
        rows = _BodyPlanner(
            body=body,
            key=keys[body.pk],
            rng=random.Random(f"{seed}:{body.slug}"),
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
        users=3 * len(bodies),
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
    )
    _say(
        stdout,
        f"Created {result.reports:,} reports ({result.grades:,} PEEL grades), "
        f"{result.findings:,} findings ({result.addressee_links:,} addressee links), "
        f"{result.responses:,} responses with {result.entries:,} entries, "
        f"{result.actions:,} actions ({result.action_links:,} finding links) and "
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
            Evidence.objects.filter(action_id__in=chunk).delete()  # files stay: none are made
            _raw_delete(ActionFinding.objects.filter(assuranceaction_id__in=chunk))
            _raw_delete(AssuranceAction.objects.filter(pk__in=chunk))
        AssuranceAction.objects.filter(response__in=responses).update(response=None)
        _raw_delete(ActionFinding.objects.filter(finding__in=findings))
        _raw_delete(
            ResponseEntry.objects.filter(Q(response__in=responses) | Q(finding__in=findings))
        )
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
