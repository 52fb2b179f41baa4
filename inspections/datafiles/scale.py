"""The scale generator's vocabulary, read from data/scale-vocabulary.toml (see the
comments at its top)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from functools import cache

from ..models import (
    PUBLISHED_STATUSES,
    ActionStatus,
    AssuranceLevel,
    InspectorateStatus,
    PeelGrade,
    PolicingBody,
    ReportType,
    ResponseEntry,
    ResponseStatus,
    Role,
)
from ..rules import Rag
from . import DataFileError, Table, read_toml

FILE = "scale-vocabulary.toml"

type Weighted[T] = list[tuple[T, float]]

# The blocks a report's findings are made of (see weights.blocks).
BLOCKS = ("concern", "recommendation", "afi", "practice")


@dataclass(frozen=True)
class Subject:
    """Who a report's findings speak of: "The force", "The force's", "in the force"."""

    subject: str
    possessive: str
    where: str
    chief_constables: str  # how a recommendation to chief constables alone names them, or ""


@dataclass(frozen=True)
class AddresseeGroup:
    codes: tuple[str, ...]
    phrase: str


@dataclass(frozen=True)
class Deadline:
    written: str | None  # None: "by 31 March" of the next year, or no deadline
    days: int


@dataclass(frozen=True)
class PeelCycle:
    starts_on: dt.date
    name: str


@dataclass(frozen=True)
class Vocabulary:
    thematic_topics: list[str]
    joint_topics: list[str]
    force_topics: list[str]
    fire_topics: list[str]
    thematic_titles: list[str]
    joint_title: str
    force_title: str
    revisit_title: str
    peel_title: str
    fire_title: str
    not_the_demos_title: str
    summary: str
    peel_topic: str
    peel_areas: list[str]
    peel_pillars: list[str]
    peel_five_tiers_from: dt.date
    peel_cycles: list[PeelCycle]
    peel_four_tiers: Weighted[PeelGrade.Grade]
    peel_five_tiers: Weighted[PeelGrade.Grade]
    subjects: dict[ReportType, Subject]
    recommendation_clauses: list[str]
    concern_problems: list[str]
    afi_participles: list[str]
    practices: list[str]
    deadlines: list[Deadline]
    closing_line: str
    published_url: str
    comments: list[str]
    chief_comments: list[str]
    no_response_reasons: list[str]
    answer_texts: dict[ResponseEntry.Answer, list[str]]
    signatory_roles: dict[PolicingBody.Kind, str]
    action_description: str
    action_titles: list[str]
    force_leads: list[str]
    fire_leads: list[str]
    update_texts: list[str]
    final_update_texts: dict[ActionStatus, str]
    assurance_evidence: list[str]
    target_change_reasons: list[str]
    first_names: list[str]
    last_names: list[str]
    job_titles: dict[Role, str]
    report_types: Weighted[ReportType]
    findings_per_report: dict[ReportType, float]
    blocks: dict[ReportType, Weighted[str]]
    addressees: dict[ReportType, Weighted[AddresseeGroup]]
    closed_statuses: Weighted[InspectorateStatus]
    open_new_statuses: Weighted[InspectorateStatus]
    open_older_statuses: Weighted[InspectorateStatus]
    closed_assurance: Weighted[AssuranceLevel]
    open_assurance: Weighted[AssuranceLevel]
    published_statuses: Weighted[ResponseStatus]
    answers: Weighted[ResponseEntry.Answer]
    owner_roles: Weighted[Role]
    more_findings: Weighted[int]
    complete_assurance: Weighted[AssuranceLevel]
    open_rag: Weighted[Rag]
    target_moves: Weighted[int]
    target_move: Weighted[str]  # "later" or "earlier"

    def peel_cycle(self, day: dt.date) -> str:
        name = f"PEEL {day.year}"
        for cycle in self.peel_cycles:
            if day >= cycle.starts_on:
                name = cycle.name
        return name


def _enum_weights[E: Enum](table: Table, key: str, enum: type[E]) -> Weighted[E]:
    weights = table.weights(key)
    return [(_member(table, key, enum, name), weight) for name, weight in weights.items()]


def _member[E: Enum](table: Table, key: str, enum: type[E], name: str) -> E:
    try:
        return enum(name)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum)
        raise DataFileError(f"{table.where}: {key}.{name} is not one of {allowed}.") from None


def _per[E: Enum](table: Table, enum: type[E]) -> dict[E, Table]:
    """A table with a sub-table for every member of `enum`, no more and no fewer."""
    found = {_member(table, "", enum, name): table.table(name) for name in table.names()}
    if missing := [m for m in enum if m not in found]:
        raise DataFileError(f"{table.where}: missing {', '.join(str(m.value) for m in missing)}.")
    return found


def _texts_per[E: Enum](table: Table, enum: type[E]) -> dict[E, list[str]]:
    return {_member(table, "", enum, name): table.texts(name) for name in table.names()}


def _text_per[E: Enum](table: Table, enum: type[E]) -> dict[E, str]:
    return {_member(table, "", enum, name): table.text(name) for name in table.names()}


@cache
def vocabulary() -> Vocabulary:
    root = read_toml(FILE)
    topics, titles, peel = root.table("topics"), root.table("titles"), root.table("peel")
    findings, responses = root.table("findings"), root.table("responses")
    actions, people, weights = root.table("actions"), root.table("people"), root.table("weights")
    grades = peel.table("grades")

    groups_table = root.table("addressees")
    groups = {}
    for name in groups_table.names():
        group = groups_table.table(name)
        groups[name] = AddresseeGroup(tuple(group.texts("codes")), group.text("phrase"))

    def addressee_weights(table: Table) -> Weighted[AddresseeGroup]:
        result = []
        for name in table.names():
            if name not in groups:
                raise DataFileError(f"{table.where}: {name} is not one of the [addressees].")
            result.append((groups[name], table.number(name)))
        return result

    blocks = {}
    for report_type, table in _per(weights.table("blocks"), ReportType).items():
        blocks[report_type] = [(block, table.number(block)) for block in BLOCKS]

    vocabulary = Vocabulary(
        thematic_topics=topics.texts("thematic"),
        joint_topics=topics.texts("joint"),
        force_topics=topics.texts("force"),
        fire_topics=topics.texts("fire"),
        thematic_titles=titles.texts("thematic"),
        joint_title=titles.text("joint"),
        force_title=titles.text("force"),
        revisit_title=titles.text("revisit"),
        peel_title=titles.text("peel"),
        fire_title=titles.text("fire"),
        not_the_demos_title=titles.text("not_the_demos"),
        summary=titles.text("summary"),
        peel_topic=peel.text("topic"),
        peel_areas=peel.texts("areas"),
        peel_pillars=peel.texts("pillars"),
        peel_five_tiers_from=_required_day(peel, "five_tiers_from"),
        peel_cycles=[
            PeelCycle(_required_day(cycle, "from"), cycle.text("name"))
            for cycle in peel.tables("cycles")
        ],
        peel_four_tiers=_enum_weights(grades, "four_tiers", PeelGrade.Grade),
        peel_five_tiers=_enum_weights(grades, "five_tiers", PeelGrade.Grade),
        subjects={
            report_type: Subject(
                table.text("subject"),
                table.text("possessive"),
                table.text("where"),
                table.text("chief_constables", ""),
            )
            for report_type, table in _per(root.table("subjects"), ReportType).items()
        },
        recommendation_clauses=findings.texts("recommendation_clauses"),
        concern_problems=findings.texts("concern_problems"),
        afi_participles=findings.texts("afi_participles"),
        practices=findings.texts("practices"),
        deadlines=[
            Deadline(None, 0)
            if table.flag("dated", False)
            else Deadline(table.text("written"), table.integer("days"))
            for table in findings.tables("deadlines")
        ],
        closing_line=responses.text("closing_line"),
        published_url=responses.text("published_url"),
        comments=responses.texts("comments"),
        chief_comments=responses.texts("chief_comments"),
        no_response_reasons=responses.texts("no_response_reasons"),
        answer_texts=_texts_per(responses.table("answers"), ResponseEntry.Answer),
        signatory_roles=_text_per(responses.table("signatory_roles"), PolicingBody.Kind),
        action_description=actions.text("description"),
        action_titles=actions.texts("titles"),
        force_leads=actions.texts("force_leads"),
        fire_leads=actions.texts("fire_leads"),
        update_texts=actions.texts("update_texts"),
        final_update_texts=_text_per(actions.table("final_update_texts"), ActionStatus),
        assurance_evidence=actions.texts("assurance_evidence"),
        target_change_reasons=actions.texts("target_change_reasons"),
        first_names=people.texts("first_names"),
        last_names=people.texts("last_names"),
        job_titles=_text_per(people.table("job_titles"), Role),
        report_types=_enum_weights(weights, "report_types", ReportType),
        findings_per_report=dict(_enum_weights(weights, "findings_per_report", ReportType)),
        blocks=blocks,
        addressees={
            report_type: addressee_weights(table)
            for report_type, table in _per(weights.table("addressees"), ReportType).items()
        },
        closed_statuses=_enum_weights(
            weights.table("inspectorate_status"), "closed", InspectorateStatus
        ),
        open_new_statuses=_enum_weights(
            weights.table("inspectorate_status"), "open_new", InspectorateStatus
        ),
        open_older_statuses=_enum_weights(
            weights.table("inspectorate_status"), "open_older", InspectorateStatus
        ),
        closed_assurance=_enum_weights(
            weights.table("finding_assurance"), "closed", AssuranceLevel
        ),
        open_assurance=_enum_weights(weights.table("finding_assurance"), "open", AssuranceLevel),
        published_statuses=_enum_weights(weights, "published_status", ResponseStatus),
        answers=_enum_weights(weights, "answers", ResponseEntry.Answer),
        owner_roles=_enum_weights(weights, "owner_role", Role),
        more_findings=[(int(n), w) for n, w in weights.weights("more_findings").items()],
        complete_assurance=_enum_weights(weights, "complete_assurance", AssuranceLevel),
        open_rag=_enum_weights(weights, "open_rag", Rag),
        target_moves=[(int(n), w) for n, w in weights.weights("target_moves").items()],
        target_move=list(weights.weights("target_move").items()),
    )
    root.done()
    _check(vocabulary)
    return vocabulary


def _required_day(table: Table, key: str) -> dt.date:
    day = table.optional_day(key)
    if day is None:
        raise DataFileError(f"{table.where}: {key} is missing.")
    return day


def _check(vocabulary: Vocabulary) -> None:
    """The weights that stand for one of the app's rules must agree with it: closed
    findings take the statuses that close a finding (InspectorateStatus.done), open ones
    the others; a published response has one of the published statuses."""
    done = InspectorateStatus.done()
    if {s for s, _ in vocabulary.closed_statuses} - done:
        raise DataFileError(f"{FILE}: weights.inspectorate_status.closed: not all close one.")
    for open_statuses in (vocabulary.open_new_statuses, vocabulary.open_older_statuses):
        if {s for s, _ in open_statuses} & done:
            raise DataFileError(f"{FILE}: weights.inspectorate_status: an open one closes it.")
    if {s for s, _ in vocabulary.published_statuses} - PUBLISHED_STATUSES:
        raise DataFileError(f"{FILE}: weights.published_status: not a published status.")
    if {d for d, _ in vocabulary.target_move} - {"later", "earlier"}:
        raise DataFileError(f"{FILE}: weights.target_move: only later and earlier.")
