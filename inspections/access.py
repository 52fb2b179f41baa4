"""Tenancy: every lookup goes through here, scoped to the signed-in user's body.

Another body's record is a 404, never a 403: we do not confirm that it exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from .models import (
    AssuranceAction,
    BoardPack,
    Evidence,
    Finding,
    InspectionReport,
    Membership,
    PeelGrade,
    PolicingBody,
    ProgressUpdate,
    ReminderSent,
    Response,
    ResponseEdition,
    ResponseEntry,
)

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
}


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


def require_editor(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied("Your role can read and export, not change records.")


def require_exporter(membership: Membership) -> None:
    if not membership.can_export:
        raise PermissionDenied("Your role cannot export records.")
