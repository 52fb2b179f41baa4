from __future__ import annotations

from .actions import (
    AssuranceAction,
    Evidence,
    Forum,
    ProgressUpdate,
    TargetChange,
    TargetReasonNeeded,
)
from .audit import AuditEvent, AuditKind
from .marking import Marking, highest_marking
from .meetings import CALENDAR_PREFIX, CalendarFeed, Meeting
from .notifications import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from .packs import PENDING_PACK_STATUSES, BoardPack, PackStage, PackStatus
from .people import EntraSignIn, Invitation, token_digest
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
from .statuses import OPEN_ACTION_STATUSES, ActionStatus
from .submissions import SubmissionKey
from .tenancy import ACTION_OWNER_ROLES, Membership, Role
from .transfer import TOKEN_PREFIX, ApiToken, ImportKind, ImportMapping, ImportUpload

__all__ = [
    "ACTION_OWNER_ROLES",
    "CALENDAR_PREFIX",
    "CLOSED_STATUSES",
    "DEFAULT_DELIVERY",
    "OPEN_ACTION_STATUSES",
    "PENDING_PACK_STATUSES",
    "PUBLISHED_STATUSES",
    "TOKEN_PREFIX",
    "ActionStatus",
    "Addressee",
    "ApiToken",
    "AssuranceAction",
    "AssuranceLevel",
    "AuditEvent",
    "AuditKind",
    "BoardPack",
    "CalendarFeed",
    "Delivery",
    "EntraSignIn",
    "Evidence",
    "Finding",
    "FindingKind",
    "Force",
    "Forum",
    "ImportKind",
    "ImportMapping",
    "ImportUpload",
    "InspectionReport",
    "Inspectorate",
    "InspectorateStatus",
    "Invitation",
    "Marking",
    "Meeting",
    "Membership",
    "Nation",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
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
    "TargetChange",
    "TargetReasonNeeded",
    "highest_marking",
    "token_digest",
]
