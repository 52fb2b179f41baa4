"""Demo data: the July 2023 Hampshire and Isle of Wight response (real text, from
data/) and an illustrative spread of reports, responses and actions around it.

Only the July 2023 response text is real. The other reports are named after the kind of
report HMICFRS publishes, and their findings are written for the demo: they are not
quotations. Dates are set relative to the day of loading so that the statutory clock
always has something overdue, something due soon and something on time.

Idempotent: records are found by natural keys and created only when missing, so running
it twice changes nothing, and it never overwrites what users have changed since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .models import (
    ActionStatus,
    Addressee,
    AssuranceAction,
    AssuranceLevel,
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

DEMO_PASSWORD = "demo-pass-2026"
SAMPLE = Path(__file__).resolve().parent / "data" / "hampshire-iow-terrorist-offenders-2023-07.txt"

HAMPSHIRE = "police-and-crime-commissioner-for-hampshire-and-isle-of-wight"
THAMES_VALLEY = "police-and-crime-commissioner-for-thames-valley"

# username: (first name, last name, body slug, role, job title)
USERS = {
    "alice": ("Alice", "Ashby", HAMPSHIRE, Role.EDITOR, "Policy and scrutiny officer"),
    "pat": ("Pat", "Palmer", HAMPSHIRE, Role.APPROVER, "Chief executive (delegate of the PCC)"),
    "ana": ("Ana", "Amari", HAMPSHIRE, Role.ANALYST, "Performance analyst"),
    "olly": ("Olly", "Okafor", THAMES_VALLEY, Role.EDITOR, "Head of governance"),
}


@dataclass(frozen=True)
class SampleResponse:
    title: str
    office: str
    paragraphs: list[str]
    signatory_name: str
    signatory_role: str
    closing_line: str


def read_sample(path: Path = SAMPLE) -> SampleResponse:
    """Split the published response into its parts: title, "Response from:", the body's
    paragraphs, the signature line and the closing line."""
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    title, office_line, *paragraphs, signature, closing = blocks
    role = "Police and Crime Commissioner"
    return SampleResponse(
        title=title,
        office=office_line.removeprefix("Response from:").strip(),
        paragraphs=paragraphs,
        signatory_name=signature.removesuffix(role).strip(),
        signatory_role=role,
        closing_line=closing,
    )


@dataclass
class FindingSpec:
    kind: str
    reference: str
    text: str
    addressees: tuple[str, ...] = ()
    deadline_text: str = ""
    deadline_days: int | None = None  # after publication
    status: str = InspectorateStatus.AWAITING_REVIEW
    answer: tuple[str, str] | None = None  # entry in the response: (answer, text)


@dataclass
class ReportSpec:
    title: str
    report_type: str
    lead: str
    published_days_ago: int
    scope: str = Scope.NATIONAL
    partners: tuple[str, ...] = ()
    reference: str = ""
    summary: str = ""
    marking: str = Marking.OFFICIAL
    grades: tuple[tuple[str, str], ...] = ()
    findings: list[FindingSpec] = field(default_factory=list)
    response_status: str | None = None
    published_after_days: int | None = None  # response published N days after the report
    comments: str = ""
    no_response_reason: str = ""


CC = ("chief-constables",)
CC_PCC = ("chief-constables", "policing-bodies")

G = PeelGrade.Grade
REPORTS: list[ReportSpec] = [
    ReportSpec(
        title="PEEL 2023–25: Police effectiveness, efficiency and legitimacy – "
        "Hampshire and Isle of Wight Constabulary",
        report_type=ReportType.PEEL,
        lead="hmicfrs",
        published_days_ago=420,
        scope=Scope.FORCES,
        reference="PEEL 2023-25/HIOW",
        grades=(
            ("Investigating crime", G.REQUIRES_IMPROVEMENT),
            ("Protecting vulnerable people", G.ADEQUATE),
            ("Responding to the public", G.INADEQUATE),
            ("Preventing crime", G.GOOD),
            ("Managing offenders", G.ADEQUATE),
            ("Developing a positive workplace", G.GOOD),
            ("Leadership and force management", G.ADEQUATE),
        ),
        findings=[
            FindingSpec(
                FindingKind.CAUSE_OF_CONCERN,
                "Cause of concern 1",
                "The force is not answering emergency and non-emergency calls quickly enough, "
                "and does not always identify repeat and vulnerable callers.",
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "Within six months, the force should make sure it answers emergency calls "
                "within the national standard of ten seconds.",
                CC,
                "within six months",
                182,
                InspectorateStatus.BEING_PROGRESSED,
                (
                    "proposed",
                    "The Chief Constable has funded 24 additional call handlers; "
                    "the Commissioner will review call answering times monthly at the "
                    "accountability board.",
                ),
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 2",
                "Within six months, the force should make sure call handlers use a structured "
                "risk assessment to identify repeat and vulnerable callers.",
                CC,
                "within six months",
                182,
                InspectorateStatus.COMPLETE,
                (
                    "taken",
                    "THRIVE+ risk assessment is now mandatory for every call; compliance "
                    "is audited weekly and reported to the Commissioner.",
                ),
            ),
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 1",
                "The force should improve how it supervises investigations, so that "
                "investigation plans are set and reviewed.",
                status=InspectorateStatus.BEING_PROGRESSED,
            ),
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 2",
                "The force should make sure victims are updated on the progress of their case "
                "in line with the Code of Practice for Victims of Crime.",
            ),
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 3",
                "The force should make sure that its use of stop and search is recorded and "
                "scrutinised, including the grounds recorded.",
                status=InspectorateStatus.COMPLETE,
            ),
            FindingSpec(
                FindingKind.INNOVATIVE_PRACTICE,
                "Innovative practice 1",
                "The force's use of a multi-agency problem-solving hub for neighbourhood "
                "anti-social behaviour.",
            ),
        ],
        response_status=ResponseStatus.COPIES_SENT,
        published_after_days=50,
        comments="I welcome this report and the clarity it gives on where the force must "
        "improve. I have set out below the action the Chief Constable has taken and will "
        "take on each recommendation, and how I will hold him to account for it.",
    ),
    ReportSpec(
        title="An inspection of vetting, misconduct and misogyny in the police service",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=700,
        reference="ISBN 978-1-78655-000-1",
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 5",
                "By 31 October, chief constables should make sure that vetting decisions "
                "record the rationale for decisions where adverse information is found.",
                CC,
                "by 31 October",
                150,
                InspectorateStatus.COMPLETE,
                (
                    "taken",
                    "The force vetting unit records a rationale for every decision "
                    "with adverse information; the OPCC dip-sampled 30 files in March.",
                ),
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 12",
                "By 30 April, chief constables should establish a process for identifying "
                "and reviewing the vetting status of officers subject to allegations of "
                "misconduct.",
                CC,
                "by 30 April",
                330,
                InspectorateStatus.BEING_PROGRESSED,
                (
                    "proposed",
                    "A monthly review between professional standards and vetting "
                    "will start in April; the Commissioner will receive the first report.",
                ),
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 20",
                "The College of Policing should amend the vetting code of practice.",
                ("college-of-policing",),
                status=InspectorateStatus.COMPLETE,
            ),
        ],
        response_status=ResponseStatus.COPIES_SENT,
        published_after_days=54,
        comments="Public confidence depends on the right people joining and staying in "
        "policing. I have asked the Chief Constable for assurance on each recommendation.",
    ),
    ReportSpec(
        title="Police response to violence against women and girls",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=900,
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "Chief constables and police and crime commissioners should make sure the "
                "response to violence against women and girls is an unequivocal priority.",
                CC_PCC,
                status=InspectorateStatus.COMPLETE,
                answer=(
                    "taken",
                    "Violence against women and girls is a priority of the "
                    "Police and Crime Plan, with a dedicated delivery board.",
                ),
            ),
        ],
        response_status=ResponseStatus.COPIES_SENT,
        published_after_days=63,  # late: recorded as late
        comments="This report matters to every resident. I accept its recommendation in full.",
    ),
    ReportSpec(
        title="An inspection of the British Transport Police",
        report_type=ReportType.FORCE,
        lead="hmicfrs",
        published_days_ago=300,
        scope=Scope.FORCES,
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "The British Transport Police should improve how it records crime.",
                ("other",),
            ),
        ],
        response_status=ResponseStatus.NO_RESPONSE_NEEDED,
        no_response_reason="The force is not a subject of this report: it concerns the "
        "British Transport Police, which the British Transport Police Authority oversees.",
    ),
    ReportSpec(
        title="Hampshire and Isle of Wight Fire and Rescue Service: Effectiveness, efficiency "
        "and people 2023–25",
        report_type=ReportType.FIRE,
        lead="hmicfrs",
        published_days_ago=200,
        scope=Scope.FORCES,
        findings=[
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 1",
                "The service should make sure its prevention work is targeted at the people "
                "most at risk of fire.",
                ("fire-chiefs",),
            ),
        ],
    ),
    ReportSpec(
        title="An inspection of how well the police tackle online child sexual abuse and "
        "exploitation",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=70,  # overdue: due 55 days after publication
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 3",
                "Within six months, chief constables should make sure referrals of online "
                "child sexual abuse are risk-assessed and allocated within 24 hours.",
                CC,
                "within six months",
                182,
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 4",
                "Within six months, chief constables should make sure digital devices seized "
                "in these cases are examined without avoidable delay.",
                CC,
                "within six months",
                182,
            ),
        ],
        response_status=ResponseStatus.DRAFT,
    ),
    ReportSpec(
        title="The police response to burglary, robbery and other acquisitive crime",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=50,  # due within 7 days; complete and ready for approval
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "By 31 March, chief constables should make sure every burglary of a home is "
                "attended by an officer.",
                CC,
                "by 31 March",
                120,
                answer=(
                    "taken",
                    "Every residential burglary has been attended since June; "
                    "the force reports attendance rates to the Commissioner monthly.",
                ),
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 2",
                "By 31 March, chief constables should make sure investigation standards for "
                "acquisitive crime are met and supervised.",
                CC,
                "by 31 March",
                120,
                answer=(
                    "proposed",
                    "A supervision audit will report to the accountability "
                    "board in the next quarter.",
                ),
            ),
        ],
        response_status=ResponseStatus.READY_FOR_APPROVAL,
        comments="Residents tell me burglary and robbery matter to them. The force has made "
        "progress and I will keep seeking assurance that it continues.",
    ),
    ReportSpec(
        title="An inspection into how well the police use digital forensics",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=40,  # sent for approval, but one recommendation unanswered
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 2",
                "Chief constables should make sure they understand demand for digital "
                "forensics and have a plan to meet it.",
                CC,
                answer=(
                    "proposed",
                    "A demand assessment is commissioned for completion within four months.",
                ),
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 4",
                "Chief constables should make sure digital forensic units achieve and keep "
                "accreditation.",
                CC,
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 6",
                "The Home Office should fund a national digital forensic capability.",
                ("home-office",),
            ),
        ],
        response_status=ResponseStatus.READY_FOR_APPROVAL,
        comments="Digital evidence is now part of almost every investigation.",
    ),
    ReportSpec(
        title="An inspection of police custody in Hampshire and Isle of Wight",
        report_type=ReportType.JOINT,
        lead="hmi-prisons",
        partners=("hmicfrs",),
        published_days_ago=20,  # the chief officer has commented
        scope=Scope.FORCES,
        marking=Marking.OFFICIAL_SENSITIVE,
        findings=[
            FindingSpec(
                FindingKind.CAUSE_OF_CONCERN,
                "Cause of concern 1",
                "Detainees at risk of self-harm were not always observed at the level set "
                "in their risk assessment.",
            ),
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "The force should make sure detainees are observed at the level their risk "
                "assessment sets, and that this is recorded.",
                CC,
                "immediately",
                0,
            ),
        ],
        response_status=ResponseStatus.COMMENTS_RECEIVED,
    ),
    ReportSpec(
        title="Police performance: getting a grip on neighbourhood policing",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=30,
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "Chief constables should protect neighbourhood officers from abstraction.",
                CC,
                answer=(
                    "none",
                    "No further action: the force already ring-fences "
                    "neighbourhood teams and abstraction is below 5%.",
                ),
            ),
        ],
        response_status=ResponseStatus.APPROVED,
        comments="I support neighbourhood policing as the foundation of public confidence.",
    ),
    ReportSpec(
        title="Revisit of the cause of concern on crime data integrity",
        report_type=ReportType.REVISIT,
        lead="hmicfrs",
        published_days_ago=250,
        scope=Scope.FORCES,
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "Within three months, the force should make sure reports of crime are "
                "recorded within 24 hours.",
                CC,
                "within three months",
                91,
                InspectorateStatus.COMPLETE,
                ("taken", "Recording within 24 hours is now 96%, audited monthly."),
            ),
        ],
        response_status=ResponseStatus.PUBLISHED,
        published_after_days=40,
        comments="I am pleased the inspectorate has recognised the progress made.",
    ),
    ReportSpec(
        title="An inspection of the police contribution to tackling serious youth violence",
        report_type=ReportType.NATIONAL_THEMATIC,
        lead="hmicfrs",
        published_days_ago=10,
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 2",
                "Police and crime commissioners should make sure violence reduction funding is "
                "evaluated.",
                ("policing-bodies",),
            ),
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 1",
                "Forces should improve how they share intelligence with schools.",
            ),
        ],
        response_status=ResponseStatus.COMMENTS_REQUESTED,
    ),
    ReportSpec(
        title="Criminal justice joint inspection: the handling of evidence-led domestic abuse "
        "prosecutions",
        report_type=ReportType.JOINT,
        lead="hmcpsi",
        partners=("hmicfrs",),
        published_days_ago=500,
        findings=[
            FindingSpec(
                FindingKind.RECOMMENDATION,
                "Recommendation 1",
                "Chief constables should make sure body-worn video is used at every domestic "
                "abuse incident.",
                CC,
                status=InspectorateStatus.BEING_PROGRESSED,
                answer=(
                    "taken",
                    "Body-worn video use at domestic abuse incidents is "
                    "monitored daily; 92% compliance in the last quarter.",
                ),
            ),
        ],
        response_status=ResponseStatus.COPIES_SENT,
        published_after_days=45,
        comments="Victims of domestic abuse deserve to see offenders brought to justice.",
    ),
    ReportSpec(
        title="PEEL 2021/22: An inspection of Hampshire Constabulary",
        report_type=ReportType.PEEL,
        lead="hmicfrs",
        published_days_ago=1400,
        scope=Scope.FORCES,
        grades=(
            ("Investigating crime", G.ADEQUATE),
            ("Responding to the public", G.REQUIRES_IMPROVEMENT),
            ("Preventing crime", G.GOOD),
        ),
        findings=[
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 1",
                "The force should make sure it records equality data for stop and search.",
                status=InspectorateStatus.COMPLETE,
            ),
        ],
        response_status=ResponseStatus.COPIES_SENT,
        published_after_days=52,
        comments="The force has improved and I will continue to hold it to account.",
    ),
]


# (title, report index, finding references, start days ago, target in days, %, status,
#  owner username or None, forum)
ActionSpec = tuple[str, int, tuple[str, ...], int, int, int, str, str | None, str]

# fmt: off
ACTIONS: list[ActionSpec] = [
    # Blue: complete
    ('Mandate THRIVE+ for every call', 0, ('Recommendation 2',),
     400, -200, 100, ActionStatus.COMPLETE, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Record a rationale for adverse vetting decisions', 1, ('Recommendation 5',),
     650, -400, 100, ActionStatus.COMPLETE, 'alice', Forum.JOINT_AUDIT_COMMITTEE),
    ('Make VAWG a Police and Crime Plan priority', 2, ('Recommendation 1',),
     840, -600, 100, ActionStatus.COMPLETE, 'pat', Forum.POLICE_AND_CRIME_PANEL),
    ('Record equality data for stop and search', 13, ('AFI 1',),
     1350, -1000, 100, ActionStatus.COMPLETE, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Crime recording within 24 hours', 10, ('Recommendation 1',),
     240, -100, 100, ActionStatus.COMPLETE, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Stop and search scrutiny panel', 0, ('AFI 3',),
     380, -60, 100, ActionStatus.COMPLETE, 'alice', Forum.POLICE_AND_CRIME_PANEL),
    # Grey: not adopted
    ('Separate vetting appeals panel', 1, ('Recommendation 12',),
     600, -300, 0, ActionStatus.NOT_ADOPTED, 'pat', Forum.JOINT_AUDIT_COMMITTEE),
    ('Commission external review of BTP recording', 3, ('Recommendation 1',),
     290, 60, 0, ActionStatus.NOT_ADOPTED, None, ''),
    ('Schools liaison pilot (fire)', 4, ('AFI 1',),
     190, 180, 0, ActionStatus.NOT_ADOPTED, None, ''),
    # Red: past target date and not complete
    ('Answer 999 calls within ten seconds', 0, ('Recommendation 1',),
     400, -30, 80, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Review vetting of officers under investigation', 1, ('Recommendation 12',),
     600, -90, 60, ActionStatus.IN_PROGRESS, 'alice', Forum.JOINT_AUDIT_COMMITTEE),
    ('Supervise investigation plans', 0, ('AFI 1',),
     380, -10, 90, ActionStatus.PENDING_SIGN_OFF, 'pat', Forum.ACCOUNTABILITY_BOARD),
    ('Body-worn video at domestic abuse incidents', 12, ('Recommendation 1',),
     480, -5, 95, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Victim updates audit', 0, ('AFI 2',),
     350, -120, 20, ActionStatus.NOT_STARTED, None, Forum.ACCOUNTABILITY_BOARD),
    # Red: well behind pace (at most 70% of expected)
    ('Risk-assess online CSAE referrals in 24 hours', 5, ('Recommendation 3',),
     60, 120, 5, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Clear the digital device backlog', 5, ('Recommendation 4',),
     60, 60, 10, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Digital forensics demand assessment', 7, ('Recommendation 2',),
     35, 85, 0, ActionStatus.NOT_STARTED, None, Forum.JOINT_AUDIT_COMMITTEE),
    ('Custody observation levels audit', 8, ('Recommendation 1',),
     18, 12, 10, ActionStatus.IN_PROGRESS, 'pat', Forum.ACCOUNTABILITY_BOARD),
    ('Call handler recruitment', 0, ('Recommendation 1',),
     300, 65, 30, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    # Amber: between 70% and 90% of expected
    ('Attend every residential burglary', 6, ('Recommendation 1',),
     45, 75, 30, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Acquisitive crime supervision audit', 6, ('Recommendation 2',),
     45, 45, 40, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Digital forensic accreditation plan', 7, ('Recommendation 4',),
     30, 30, 40, ActionStatus.IN_PROGRESS, 'pat', Forum.JOINT_AUDIT_COMMITTEE),
    ('Neighbourhood abstraction monitoring', 9, ('Recommendation 1',),
     25, 75, 20, ActionStatus.IN_PROGRESS, 'alice', Forum.POLICE_AND_CRIME_PANEL),
    ('Violence reduction funding evaluation', 11, ('Recommendation 2',),
     100, 100, 40, ActionStatus.IN_PROGRESS, 'pat', Forum.POLICE_AND_CRIME_PANEL),
    ('Repeat caller flag in command and control', 0, ('Recommendation 2',),
     200, 200, 40, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    # Green: on or ahead of pace
    ('Victim Code compliance dashboard', 0, ('AFI 2',),
     100, 100, 55, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Publish burglary attendance monthly', 6, ('Recommendation 1',),
     40, 40, 60, ActionStatus.IN_PROGRESS, 'alice', Forum.POLICE_AND_CRIME_PANEL),
    ('Intelligence sharing with schools', 11, ('AFI 1',),
     10, 170, 10, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Custody healthcare contract review', 8, ('Cause of concern 1',),
     15, 75, 30, ActionStatus.IN_PROGRESS, 'pat', Forum.JOINT_AUDIT_COMMITTEE),
    ('Vetting decisions dip sample', 1, ('Recommendation 5',),
     30, 150, 20, ActionStatus.IN_PROGRESS, 'ana', Forum.JOINT_AUDIT_COMMITTEE),
    ('Online CSAE training for investigators', 5, ('Recommendation 3',),
     20, 160, 15, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Neighbourhood policing survey', 9, ('Recommendation 1',),
     0, 180, 0, ActionStatus.NOT_STARTED, None, Forum.POLICE_AND_CRIME_PANEL),
    ('Domestic abuse prosecution file quality', 12, ('Recommendation 1',),
     60, 120, 40, ActionStatus.IN_PROGRESS, 'alice', Forum.JOINT_AUDIT_COMMITTEE),
    ('Digital forensics triage kiosks', 7, ('Recommendation 2',),
     30, 150, 25, ActionStatus.IN_PROGRESS, 'alice', Forum.ACCOUNTABILITY_BOARD),
    ('Crime data integrity assurance audit', 10, ('Recommendation 1',),
     100, 265, 30, ActionStatus.IN_PROGRESS, 'ana', Forum.JOINT_AUDIT_COMMITTEE),
    ('Emergency call answering assurance visit', 0, ('Cause of concern 1',),
     120, 60, 70, ActionStatus.IN_PROGRESS, 'pat', Forum.ACCOUNTABILITY_BOARD),
    ('Misconduct outcomes published quarterly', 1, ('Recommendation 12',),
     90, 90, 60, ActionStatus.PENDING_SIGN_OFF, 'alice', Forum.POLICE_AND_CRIME_PANEL),
    ('VAWG delivery board terms of reference', 2, ('Recommendation 1',),
     50, 130, 30, ActionStatus.IN_PROGRESS, 'pat', Forum.POLICE_AND_CRIME_PANEL),
    ('Terrorist offender management assurance', 14, (),
     100, 200, 40, ActionStatus.IN_PROGRESS, 'pat', Forum.ACCOUNTABILITY_BOARD),
]
# fmt: on

UPDATE_TEXTS = [
    "Force lead confirmed and a delivery plan agreed with the OPCC.",
    "Progress reported to the board; the force described the work under way and its risks.",
    "OPCC dip sample carried out; findings shared with the force lead.",
]


def _user(username: str, body: PolicingBody) -> User:
    first, last, _, role, job = USERS[username]
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
        )
    Membership.objects.get_or_create(
        user=user, defaults={"body": body, "role": role, "job_title": job}
    )
    return user


def _report(spec: ReportSpec, body: PolicingBody, today: dt.date) -> InspectionReport:
    inspectorates = {i.code: i for i in Inspectorate.objects.all()}
    addressees = {a.code: a for a in Addressee.objects.all()}
    published_on = today - dt.timedelta(days=spec.published_days_ago)
    report, created = InspectionReport.objects.get_or_create(
        body=body,
        title=spec.title,
        defaults={
            "report_type": spec.report_type,
            "lead_inspectorate": inspectorates[spec.lead],
            "published_on": published_on,
            "scope": spec.scope,
            "reference": spec.reference,
            "summary": spec.summary,
            "marking": spec.marking,
        },
    )
    if not created:
        return report
    report.partner_inspectorates.set([inspectorates[code] for code in spec.partners])
    if spec.scope == Scope.FORCES:
        report.forces.set([body.force])
    for position, (area, grade) in enumerate(spec.grades):
        PeelGrade.objects.create(report=report, area=area, grade=grade, position=position)
    concern = None
    for position, fs in enumerate(spec.findings):
        finding = Finding.objects.create(
            report=report,
            kind=fs.kind,
            reference=fs.reference,
            position=position,
            text=fs.text,
            deadline_text=fs.deadline_text,
            deadline=(
                published_on + dt.timedelta(days=fs.deadline_days)
                if fs.deadline_days is not None
                else None
            ),
            inspectorate_status=fs.status,
            cause_of_concern=concern if fs.kind == FindingKind.RECOMMENDATION else None,
        )
        if fs.kind == FindingKind.CAUSE_OF_CONCERN:
            concern = finding
        finding.addressees.set([addressees[code] for code in fs.addressees])
    return report


def _response(
    spec: ReportSpec, report: InspectionReport, body: PolicingBody, approver: User
) -> Response | None:
    if spec.response_status is None:
        return None
    response, created = Response.objects.get_or_create(
        body=body, report=report, defaults={"status": spec.response_status}
    )
    if not created:
        return response
    status = ResponseStatus(spec.response_status)
    published = report.published_on
    response.marking = spec.marking
    response.comments = spec.comments
    response.no_response_reason = spec.no_response_reason
    response.signatory_name = "Donna Jones"
    response.signatory_role = "Police and Crime Commissioner"
    order = list(ResponseStatus)
    reached = order.index(status) if status != ResponseStatus.NO_RESPONSE_NEEDED else -1
    if reached >= order.index(ResponseStatus.COMMENTS_REQUESTED):
        response.chief_invited_on = published + dt.timedelta(days=3)
        response.chief_reply_by = published + dt.timedelta(days=24)
    if reached >= order.index(ResponseStatus.COMMENTS_RECEIVED):
        response.chief_comments_received_on = published + dt.timedelta(
            days=min(21, spec.published_days_ago - 1)
        )
        response.chief_comments = (
            "The Chief Constable welcomes the report and accepts its findings. The force has "
            "set up a delivery group, chaired by an assistant chief constable, to take the "
            "recommendations forward."
        )
    if reached >= order.index(ResponseStatus.APPROVED):
        response.approved_by = approver
        response.approved_at = timezone.make_aware(
            dt.datetime.combine(published + dt.timedelta(days=28), dt.time(10))
        )
    if reached >= order.index(ResponseStatus.PUBLISHED) and spec.published_after_days:
        response.published_on = published + dt.timedelta(days=spec.published_after_days - 1)
        response.published_url = "https://www.example.org/opcc/inspection-responses/"
    if reached >= order.index(ResponseStatus.COPIES_SENT) and response.published_on:
        response.copy_to_inspectorate_on = response.published_on
        response.copy_to_home_secretary_on = response.published_on
    response.save()
    by_reference = {f.reference: f for f in report.findings.all()}
    for fs in spec.findings:
        if fs.answer:
            ResponseEntry.objects.create(
                response=response,
                finding=by_reference[fs.reference],
                answer=fs.answer[0],
                text=fs.answer[1],
            )
    return response


def _sample_report(body: PolicingBody) -> None:
    """The joint counter-terrorism inspection of 20 July 2023 and the body's response."""
    sample = read_sample()
    inspectorates = {i.code: i for i in Inspectorate.objects.all()}
    national_lead = Addressee.objects.get(code="national-lead")
    title = sample.title.rsplit(" (", 1)[0]
    report, created = InspectionReport.objects.get_or_create(
        body=body,
        title=title,
        defaults={
            "report_type": ReportType.JOINT,
            "lead_inspectorate": inspectorates["hmi-probation"],
            "published_on": dt.date(2023, 7, 20),
            "scope": Scope.NATIONAL,
            "summary": "Joint counter-terrorism inspection of the management of terrorist "
            "offenders in prison, probation and policing.",
        },
    )
    if created:
        report.partner_inspectorates.set([inspectorates["hmicfrs"], inspectorates["hmi-prisons"]])
        for position, number in enumerate((19, 20, 21)):
            finding = Finding.objects.create(
                report=report,
                kind=FindingKind.RECOMMENDATION,
                reference=f"Recommendation {number}",
                position=position,
                text=(
                    "A police recommendation addressed to Counter Terrorism Policing (the "
                    "senior national coordinator). Text summarised for the demo."
                ),
                inspectorate_status=InspectorateStatus.BEING_PROGRESSED,
            )
            finding.addressees.set([national_lead])
    Response.objects.get_or_create(
        body=body,
        report=report,
        defaults={
            "status": ResponseStatus.COPIES_SENT,
            "comments": "\n\n".join(sample.paragraphs),
            "closing_line": sample.closing_line,
            "signatory_name": sample.signatory_name,
            "signatory_role": sample.signatory_role,
            "published_on": dt.date(2023, 9, 7),
            "copy_to_inspectorate_on": dt.date(2023, 9, 7),
            "copy_to_home_secretary_on": dt.date(2023, 9, 7),
        },
    )


def _actions(body: PolicingBody, reports: list[InspectionReport], today: dt.date) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERS)}
    for index, (
        title,
        report_index,
        refs,
        start_ago,
        target_in,
        percent,
        status,
        owner,
        forum,
    ) in enumerate(ACTIONS):
        report = reports[report_index]
        action, created = AssuranceAction.objects.get_or_create(
            body=body,
            title=title,
            defaults={
                "description": f"Assurance that the force acts on {report.title}.",
                "owner": users.get(owner) if owner else None,
                "force_lead": "Assistant Chief Constable (Operations)",
                "start_on": today - dt.timedelta(days=start_ago),
                "target_on": today + dt.timedelta(days=target_in),
                "percent_complete": percent,
                "status": status,
                "forum": forum,
                "completed_on": (
                    today + dt.timedelta(days=target_in - 7)
                    if status == ActionStatus.COMPLETE
                    else None
                ),
                "assurance_level": (
                    AssuranceLevel.SUBSTANTIAL
                    if status == ActionStatus.COMPLETE
                    else AssuranceLevel.LIMITED
                    if index % 3 == 0
                    else ""
                ),
                "response": report.responses.filter(body=body).first(),
            },
        )
        if not created:
            continue
        action.findings.set(report.findings.filter(reference__in=refs))
        author = users["alice"]
        for n in range(index % 3 + 1):
            ProgressUpdate.objects.create(
                action=action,
                author=author,
                written_at=timezone.now() - dt.timedelta(days=start_ago * (3 - n) // 4 + 1),
                text=UPDATE_TEXTS[n],
                percent_complete=percent * (n + 1) // (index % 3 + 1),
                status=status if n == index % 3 else ActionStatus.IN_PROGRESS,
            )


def _thames_valley(body: PolicingBody, today: dt.date) -> None:
    olly = _user("olly", body)
    spec = ReportSpec(
        title="PEEL 2023–25: Police effectiveness, efficiency and legitimacy – Thames Valley "
        "Police",
        report_type=ReportType.PEEL,
        lead="hmicfrs",
        published_days_ago=90,
        scope=Scope.FORCES,
        grades=(("Investigating crime", G.ADEQUATE), ("Preventing crime", G.GOOD)),
        findings=[
            FindingSpec(
                FindingKind.AREA_FOR_IMPROVEMENT,
                "AFI 1",
                "The force should make sure it records the ethnicity of people it stops.",
            ),
        ],
        response_status=ResponseStatus.PUBLISHED,
        published_after_days=40,
        comments="Thames Valley Police has made good progress.",
    )
    report = _report(spec, body, today)
    _response(spec, report, body, olly)
    action, created = AssuranceAction.objects.get_or_create(
        body=body,
        title="Record ethnicity in stop and search",
        defaults={
            "owner": olly,
            "start_on": today - dt.timedelta(days=60),
            "target_on": today + dt.timedelta(days=60),
            "percent_complete": 50,
            "status": ActionStatus.IN_PROGRESS,
        },
    )
    if created:
        action.findings.set(report.findings.all())
        ProgressUpdate.objects.create(
            action=action, author=olly, text="Recording form updated in the custody system."
        )


@dataclass(frozen=True)
class DemoResult:
    created_users: bool


@transaction.atomic
def load_demo(today: dt.date | None = None) -> DemoResult:
    today = today or timezone.localdate()
    load_reference_data()
    User = get_user_model()
    first_time = not User.objects.filter(username__in=USERS).exists()
    hampshire = PolicingBody.objects.get(slug=HAMPSHIRE)
    users = {name: _user(name, hampshire) for name in ("alice", "pat", "ana")}
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    _sample_report(hampshire)
    reports = [_report(spec, hampshire, today) for spec in REPORTS]
    sample_report = InspectionReport.objects.get(body=hampshire, published_on=dt.date(2023, 7, 20))
    reports.append(sample_report)  # index 14 in ACTIONS
    for spec, report in zip(REPORTS, reports, strict=False):
        _response(spec, report, hampshire, users["pat"])
    _actions(hampshire, reports, today)
    _thames_valley(PolicingBody.objects.get(slug=THAMES_VALLEY), today)
    if first_time:
        _backdate_history(hampshire, users["alice"], today)
    return DemoResult(created_users=first_time)


# Recent status changes for the dashboard's "what changed": (action title, status before,
# days ago the current status was set).
RECENT_CHANGES = [
    ("Supervise investigation plans", ActionStatus.IN_PROGRESS, 12),
    ("Misconduct outcomes published quarterly", ActionStatus.IN_PROGRESS, 5),
    ("Stop and search scrutiny panel", ActionStatus.PENDING_SIGN_OFF, 20),
    ("Crime recording within 24 hours", ActionStatus.PENDING_SIGN_OFF, 9),
    ("Commission external review of BTP recording", ActionStatus.NOT_STARTED, 25),
]


def _backdate_history(body: PolicingBody, author: User, today: dt.date) -> None:
    """Give the demo a believable past: each record's history starts when its work did,
    and a few actions changed status in the last month, so "what changed since" has
    something to show."""
    from django.db.models import F

    def at(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))

    for report in InspectionReport.objects.filter(body=body):
        when = at(report.published_on)
        InspectionReport.history.filter(id=report.pk).update(history_date=when)
        Finding.history.filter(report_id=report.pk).update(history_date=when)
        Response.history.filter(report_id=report.pk).update(
            history_date=at(report.published_on + dt.timedelta(days=2))
        )
    for action in AssuranceAction.objects.filter(body=body):
        AssuranceAction.history.filter(id=action.pk).update(history_date=at(action.start_on))
    for title, before, days_ago in RECENT_CHANGES:
        action = AssuranceAction.objects.get(body=body, title=title)
        AssuranceAction.history.filter(id=action.pk).update(status=before)
        action._history_date = at(today - dt.timedelta(days=days_ago))  # type: ignore[attr-defined]
        action._history_user = author  # type: ignore[attr-defined]
        action.version = F("version") + 1
        action.save()
