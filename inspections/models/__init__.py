from __future__ import annotations

from .actions import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssuranceAction,
    Evidence,
    Forum,
    ProgressUpdate,
)
from .marking import Marking, highest_marking
from .packs import PENDING_PACK_STATUSES, BoardPack, PackStage, PackStatus
from .reference import Addressee, Force, Inspectorate, Nation, PolicingBody
from .reminders import ReminderKind, ReminderSent
from .reports import (
    AssuranceLevel,
    Finding,
    FindingKind,
    InspectionReport,
    InspectorateStatus,
    PeelGrade,
    ReportType,
    Scope,
)
from .responses import (
    CLOSED_STATUSES,
    PUBLISHED_STATUSES,
    Response,
    ResponseEdition,
    ResponseEntry,
    ResponseStatus,
)
from .submissions import SubmissionKey
from .tenancy import Membership, Role

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_ACTION_STATUSES",
    "PENDING_PACK_STATUSES",
    "PUBLISHED_STATUSES",
    "ActionStatus",
    "Addressee",
    "AssuranceAction",
    "AssuranceLevel",
    "BoardPack",
    "Evidence",
    "Finding",
    "FindingKind",
    "Force",
    "Forum",
    "InspectionReport",
    "Inspectorate",
    "InspectorateStatus",
    "Marking",
    "Membership",
    "Nation",
    "PackStage",
    "PackStatus",
    "PeelGrade",
    "PolicingBody",
    "ProgressUpdate",
    "ReminderKind",
    "ReminderSent",
    "ReportType",
    "Response",
    "ResponseEdition",
    "ResponseEntry",
    "ResponseStatus",
    "Role",
    "Scope",
    "SubmissionKey",
    "highest_marking",
]
