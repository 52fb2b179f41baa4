"""Writing the sign-in log: `record` is the one function every part of the app calls.
The helpers below it say what a sign-in, a failed sign-in, a refused request or an export
was, and `prune` removes what is past retention (the only way a row ever goes)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from typing import Any

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..access import membership_or_none
from ..models import (
    AuditEvent,
    AuditKind,
    BoardPack,
    Evidence,
    InspectionReport,
    Membership,
    PolicingBody,
    Response,
    ResponseEdition,
)

MAX_AGENT = 300
MAX_DETAIL = 500
MAX_PATH = 500
MAX_USERNAME = 254

# A request whose response has this status is worth a line in the log (signed-in only).
REFUSED_STATUSES = {403, 404}
# Routes whose refusals say nothing about anyone's records.
UNLOGGED_ROUTES = {"healthz"}
# The sign-in forms: a 429 there is a throttled sign-in.
SIGN_IN_ROUTES = {"login", "account_login"}


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from. Behind a proxy, have the proxy pass it in
    REMOTE_ADDR (gunicorn's --proxy-protocol with --proxy-allow-from; docs/audit.md); a
    client-sent header is not trusted. Anything that is not an IP address (a Unix
    socket's empty name) is stored as none."""
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _signed_in_user(request: HttpRequest | None) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _body_id_of(user: Any, request: HttpRequest | None) -> int | None:
    # The request's own membership is usually fetched already (`access`); use it when it
    # is this user's, otherwise ask.
    if request is not None and _signed_in_user(request) is not None:
        membership = membership_or_none(request)
        if membership is not None and membership.user_id == user.pk:
            return membership.body_id
    body_id: int | None = (
        Membership.objects.filter(user_id=user.pk).values_list("body_id", flat=True).first()
    )
    return body_id


def record(
    kind: AuditKind,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    body: PolicingBody | None = None,
    username: str = "",
    detail: str = "",
) -> AuditEvent:
    """Adds one row. `user` defaults to the request's signed-in user and `body` to that
    user's body; `username` to the user's username."""
    if user is None:
        user = _signed_in_user(request)
    if user is not None and user.pk is None:
        user = None
    if body is not None:
        body_id: int | None = body.pk
    else:
        body_id = _body_id_of(user, request) if user is not None else None
    event = AuditEvent.objects.create(
        kind=kind,
        user=user,
        body_id=body_id,
        username=(username or (user.get_username() if user is not None else ""))[:MAX_USERNAME],
        detail=detail[:MAX_DETAIL],
        path=request.get_full_path()[:MAX_PATH] if request is not None else "",
        ip_address=client_address(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:MAX_AGENT] if request else "",
    )
    if request is not None:
        recorded_kinds(request).add(kind)
    return event


def recorded_kinds(request: HttpRequest) -> set[str]:
    """What this request has written to the log so far: signing out after a session
    expired or an account was deactivated is not a second event."""
    if not hasattr(request, "_audit_kinds"):
        request._audit_kinds = set()  # type: ignore[attr-defined]
    return request._audit_kinds  # type: ignore[attr-defined, no-any-return]


# --- Signing in and out -------------------------------------------------------------------

FACTORS = {
    "totp": gettext_lazy("authenticator app"),
    "recovery_codes": gettext_lazy("recovery code"),
    "webauthn": gettext_lazy("security key"),
}


def sign_in_method(request: HttpRequest, user: Any) -> str:
    """How this sign-in was made, from the steps allauth recorded in the session:
    "password", "password and authenticator app", "passkey", "Microsoft"."""
    records = get_authentication_records(request, user)
    methods = {str(step.get("method")) for step in records}
    second = [step for step in records if step.get("method") == "mfa"]
    if any(step.get("passwordless") for step in second):
        return str(_("passkey"))
    parts: list[str] = []
    if "socialaccount" in methods:
        parts.append(_("Microsoft"))  # Entra ID is the one provider configured
    elif methods & {"password", "password_reset"}:
        parts.append(_("password"))
    elif "code" in methods:
        parts.append(_("sign-in code"))
    elif request.method == "POST" and "password" in request.POST:
        parts.append(_("password"))  # a sign-in form that is not allauth's
    for step in second:
        factor = FACTORS.get(str(step.get("type")))
        if factor and not step.get("reauthenticated") and str(factor) not in parts:
            parts.append(str(factor))
    return get_text_list(parts, _("and")) or str(_("other"))


def signed_in(request: HttpRequest, user: Any) -> AuditEvent:
    return record(
        AuditKind.SIGNED_IN, request=request, user=user, detail=sign_in_method(request, user)
    )


def _given_login(credentials: Mapping[str, Any]) -> str:
    """The username or email typed, whichever the sign-in form passed (allauth passes
    `username` and, for an address, `email` too). Nothing else is ever read: the
    password stays out of the log."""
    for key in ("username", "email", "login"):
        value = credentials.get(key)
        if value:
            return str(value).strip()
    return ""


def _account_for(login: str) -> Any:
    """The account a username or email address names, if any."""
    if not login:
        return None
    named = Q(username__iexact=login) | Q(email__iexact=login)
    if "@" in login:
        named |= Q(emailaddress__email__iexact=login)
    return get_user_model().objects.filter(named).order_by("pk").distinct().first()


def sign_in_failed(
    request: HttpRequest | None, credentials: Mapping[str, Any], *, detail: str = ""
) -> AuditEvent:
    """A refused username and password. A username or address that names an account is
    logged against that account and its body; an unknown one has no body, so only the
    operators see it (in the Django admin)."""
    given = _given_login(credentials)
    account = _account_for(given)
    return record(
        AuditKind.SIGN_IN_FAILED,
        request=request,
        user=account,
        username=given,
        detail=detail or _("Wrong username or password"),
    )


def sign_in_throttled(request: HttpRequest | None, credentials: Mapping[str, Any]) -> AuditEvent:
    """An attempt refused before the password was checked: too many failures lately."""
    return sign_in_failed(
        request, credentials, detail=_("Refused without checking: too many failed attempts")
    )


def second_factor_failed(request: HttpRequest | None, user: Any, factor: str) -> AuditEvent:
    return record(
        AuditKind.SIGN_IN_FAILED,
        request=request,
        user=user,
        detail=_("Wrong %(factor)s code") % {"factor": str(FACTORS.get(factor, factor))},
    )


def signed_out(request: HttpRequest | None, user: Any) -> AuditEvent | None:
    if user is None or user.pk is None:
        return None  # signing out when not signed in
    if request is not None and recorded_kinds(request) & {
        AuditKind.SESSION_EXPIRED,
        AuditKind.DEACTIVATED,
    }:
        return None
    return record(AuditKind.SIGNED_OUT, request=request, user=user)


# --- Refused requests ---------------------------------------------------------------------


def refused(request: HttpRequest, status: int) -> AuditEvent | None:
    """Logs a refused request (403 or 404) by a signed-in person to a URL of the app,
    and a throttled sign-in (429 on the sign-in form). Not logged: anything that matches
    no route (favicons, probes; static files never reach Django), the health check, and
    anyone not signed in, so that bots cannot fill the log."""
    if status not in REFUSED_STATUSES and status != 429:
        return None
    try:
        route = resolve(request.path_info).url_name or ""
    except Resolver404:
        return None
    if route in UNLOGGED_ROUTES:
        return None
    if status == 429:
        if route in SIGN_IN_ROUTES and request.method == "POST":
            return sign_in_throttled(request, request.POST)
        return None
    if _signed_in_user(request) is None:
        return None
    reason = _("Not found") if status == 404 else _("Forbidden")
    return record(
        AuditKind.REFUSED,
        request=request,
        detail=f"{status} {reason} ({request.method})",
    )


# --- Exports ------------------------------------------------------------------------------

type Exported = Response | ResponseEdition | InspectionReport | BoardPack | Evidence


def describe_export(item: Exported) -> str:
    """What was exported, as the log shows it."""
    match item:
        case ResponseEdition():
            return _("Response PDF, edition %(number)s: %(title)s") % {
                "number": item.number,
                "title": item.response.report.title,
            }
        case Response():
            return _("Response PDF: %(title)s") % {"title": item.report.title}
        case InspectionReport():
            return _("Inspection summary PDF: %(title)s") % {"title": item.title}
        case BoardPack():
            return _("Board pack: %(name)s") % {"name": item.filename}
        case Evidence():
            return _("Evidence file: %(name)s (action %(action)s)") % {
                "name": item.original_name,
                "action": item.action_id,
            }


def exported(request: HttpRequest, item: Exported | str) -> AuditEvent:
    """Logs a download of records by the signed-in person: a PDF, a board pack, an
    evidence file, or (a plain description) anything else."""
    detail = item if isinstance(item, str) else describe_export(item)
    return record(AuditKind.EXPORTED, request=request, detail=detail)


# --- Retention ----------------------------------------------------------------------------


def prune(*, now: dt.datetime | None = None) -> int:
    """Deletes the rows older than `AUDIT_RETENTION_DAYS`; returns how many went. A bulk
    delete, so the model's refusal to delete one row from the app does not apply."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    _total, deleted = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted.get(AuditEvent._meta.label, 0)
