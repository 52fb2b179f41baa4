"""Tenancy: every lookup goes through here, scoped to the signed-in user's body.

Another body's record is a 404, never a 403: we do not confirm that it exists. A force
contributor sees less still: only the actions they own (and their updates and evidence),
and only the URLs in `CONTRIBUTOR_URL_NAMES` (middleware.ContributorScopeMiddleware).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from .models import (
    ActionStatus,
    AssuranceAction,
    BoardPack,
    CalendarFeed,
    Evidence,
    Finding,
    ImportUpload,
    InspectionReport,
    Meeting,
    Membership,
    PeelGrade,
    PolicingBody,
    ProgressUpdate,
    ReminderSent,
    Response,
    ResponseEdition,
    ResponseEntry,
    TargetChange,
)
from .models.actions import AssuranceActionQuerySet

# How each tenant-owned model reaches its body.
BODY_PATHS: dict[type[models.Model], str] = {
    InspectionReport: "body",
    Response: "body",
    AssuranceAction: "body",
    Finding: "report__body",
    PeelGrade: "report__body",
    ResponseEntry: "response__body",
    ResponseEdition: "response__body",
    ProgressUpdate: "action__body",
    Evidence: "action__body",
    ReminderSent: "body",
    BoardPack: "body",
    ImportUpload: "body",
    Meeting: "body",
    CalendarFeed: "body",
    TargetChange: "action__body",
}


# How each model a force contributor may see reaches the action's owner.
OWNER_PATHS: dict[type[models.Model], str] = {
    AssuranceAction: "owner",
    ProgressUpdate: "action__owner",
    Evidence: "action__owner",
}

# The only pages a force contributor may reach (URL names, namespaced ones with their
# namespace); everything else is a 404 for them. Their own actions, their account and
# signing in and out, and what anyone may read.
CONTRIBUTOR_URL_NAMES = frozenset(
    {
        "home",
        "healthz",
        "accessibility",
        "action_list",
        "action_detail",
        "update_add",
        "evidence_add",
        "evidence_download",
        "login",
        "logout",
        "account",
        "notification_preferences",
        "invitation_accept",
        "entra_sign_in",
        "openid_connect_callback",
        "calendar_settings",
        "calendar_feed",
    }
)
# allauth's own pages (signing in, password, two-factor, Microsoft) and the public pages.
CONTRIBUTOR_URL_PREFIXES = ("account_", "mfa_", "socialaccount_", "public_")

# What a force contributor may say of their action: that the force has done it ("Force
# says complete", pending the body's sign-off). Complete and not adopted are the body's
# decisions, made when it has assessed the work.
CONTRIBUTOR_STATUSES = (
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.PENDING_SIGN_OFF,
)


def membership_or_none(request: HttpRequest) -> Membership | None:
    """The signed-in user's membership with its body, fetched once per request."""
    if not hasattr(request, "_membership"):
        user = getattr(request, "user", None)
        request._membership = (  # type: ignore[attr-defined]
            Membership.objects.select_related("body").filter(user_id=user.pk).first()
            if user is not None and user.is_authenticated
            else None
        )
    return request._membership  # type: ignore[attr-defined, no-any-return]


def membership_of(request: HttpRequest) -> Membership:
    """The signed-in user's membership; a user with none may see no records at all."""
    membership = membership_or_none(request)
    if membership is None:
        raise PermissionDenied("Your account is not a member of a policing body.")
    return membership


def scoped[M: models.Model](
    queryset: models.QuerySet[M], body: PolicingBody | int
) -> models.QuerySet[M]:
    path = BODY_PATHS[queryset.model]
    return queryset.filter(**{path: body})


def get_for_body[M: models.Model](
    queryset: models.QuerySet[M], body: PolicingBody | int, **lookup: Any
) -> M:
    try:
        return scoped(queryset, body).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404("No such record for your body.") from None


def contributor_may_reach(view_name: str | None) -> bool:
    """Whether a force contributor may open the URL of this name (`ResolverMatch.view_name`:
    the admin's "admin:login" is not our "login")."""
    name = view_name or ""
    return name in CONTRIBUTOR_URL_NAMES or name.startswith(CONTRIBUTOR_URL_PREFIXES)


def visible_to[QS: models.QuerySet[Any]](queryset: QS, membership: Membership) -> QS:
    """The records of `queryset` this member may see: their body's; for a force contributor
    only the actions they own (and those actions' updates and evidence), nothing else."""
    visible = queryset.filter(**{BODY_PATHS[queryset.model]: membership.body_id})
    if membership.is_contributor:
        owner_path = OWNER_PATHS.get(queryset.model)
        if owner_path is None:
            return visible.none()
        return visible.filter(**{owner_path: membership.user_id})
    return visible


def get_visible[M: models.Model](
    queryset: models.QuerySet[M], membership: Membership, **lookup: Any
) -> M:
    """One record this member may see, or a 404 (another body's, or another person's action
    for a force contributor)."""
    try:
        return visible_to(queryset, membership).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404("No such record for you.") from None


def actions_for(membership: Membership) -> AssuranceActionQuerySet:
    """The actions this member may see: the body's, or a force contributor's own."""
    return visible_to(AssuranceAction.objects.all(), membership)


def may_record_progress(membership: Membership) -> bool:
    """Editors write progress updates and upload evidence; so do force contributors, on the
    actions they own (which are the only ones `actions_for` gives them)."""
    return membership.can_edit or membership.is_contributor


def require_editor(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied("Your role can read and export, not change records.")


def require_administrator(membership: Membership) -> None:
    if not membership.can_administer:
        raise PermissionDenied("Only the body's administrators manage its people.")


def require_progress_writer(membership: Membership) -> None:
    if not may_record_progress(membership):
        raise PermissionDenied("Your role can read and export, not add progress.")


def require_exporter(membership: Membership) -> None:
    if not membership.can_export:
        raise PermissionDenied("Your role cannot export records.")
