"""Middleware of our own: session timeouts, two-factor enforcement, what force contributors
may reach, and logging refused requests. Each class is one rule's gate; the rule itself
lives in `access` or on the membership."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from .access import contributor_may_reach, membership_or_none
from .models import AuditKind
from .services import audit
from .two_factor import has_two_factor


class RefusalLogMiddleware:
    """Writes a refused request (403 or 404 to a signed-in person on one of the app's
    URLs) and a throttled sign-in (429) to the sign-in log; `audit.refused` decides
    which count. Placed just after AuthenticationMiddleware, so it sees every refusal
    the gates below it make."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code in (403, 404, 429):
            audit.refused(request, response.status_code)
        return response


class ContributorScopeMiddleware:
    """A force contributor reaches only the URLs `access.contributor_may_reach` names; every
    other URL is a 404 for them, whatever the view would have said. Within those URLs the
    views look records up through `access.actions_for`, which gives them their own actions
    only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        membership = membership_or_none(request)
        if membership is None or not membership.is_contributor:
            return None
        match = request.resolver_match
        if match is not None and contributor_may_reach(match.view_name):
            return None
        raise Http404("Not a page for force contributors.")


# --- Sessions and two-factor sign-in -------------------------------------------------------

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# How stale the last-seen time may grow before it is written again: a busy session is
# saved once a minute, not on every request, and the idle timeout is exact to a minute.
LAST_SEEN_EVERY = 60


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _redirect(request: HttpRequest, url: str) -> HttpResponseBase:
    """A redirect that htmx follows with the whole page, not inside a fragment."""
    return HttpResponseClientRedirect(url) if _is_htmx(request) else HttpResponseRedirect(url)


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _page_to_return_to(request: HttpRequest) -> str:
    """Where to go after signing in again: this page, or for htmx and forms the page the
    person was on (a POST cannot be replayed)."""
    if request.method == "GET" and not _is_htmx(request):
        return request.get_full_path()
    headers = request.headers
    current = urlsplit(headers.get("HX-Current-URL") or headers.get("Referer") or "")
    if current.netloc and current.netloc != request.get_host():
        return ""
    return current.path + (f"?{current.query}" if current.query else "")


class SessionTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_SECONDS, or signed in SESSION_ABSOLUTE_SECONDS
    ago: writes the sign-in log, signs out and sends the person to sign in again with a
    message saying why.

    The clocks start in the request that signs in, which saves the session anyway; after
    that the session is written at most once a minute. A session signed in outside a
    request (a test client's `login`) has no clocks until it is saved for another reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        was_signed_in = user is not None and user.is_authenticated
        if was_signed_in:
            ended = self._end_if_expired(request)
            if ended is not None:
                return ended
        response = self.get_response(request)
        session = request.session
        if request.user.is_authenticated and (
            not was_signed_in or (SIGNED_IN_AT not in session and session.modified)
        ):
            session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())
        return response

    def _end_if_expired(self, request: HttpRequest) -> HttpResponseBase | None:
        now = int(time.time())
        session = request.session
        signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
        if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
            return None
        idle, absolute = settings.SESSION_IDLE_SECONDS, settings.SESSION_ABSOLUTE_SECONDS
        if now - last_seen > idle:
            detail = _("Idle for more than %(duration)s") % {"duration": _duration(idle)}
            message = _("You were signed out after %(duration)s without activity.") % {
                "duration": _duration(idle)
            }
        elif now - signed_in_at > absolute:
            detail = _("Signed in more than %(duration)s ago") % {"duration": _duration(absolute)}
            message = _("You were signed out because you signed in %(duration)s ago.") % {
                "duration": _duration(absolute)
            }
        else:
            if now - last_seen >= LAST_SEEN_EVERY:
                session[LAST_SEEN] = now
            return None
        audit.record(AuditKind.SESSION_EXPIRED, request=request, detail=detail)
        back_to = _page_to_return_to(request)
        logout(request)
        messages.info(request, message)
        url = reverse("login")
        return _redirect(request, f"{url}?{urlencode({'next': back_to})}" if back_to else url)


# What someone who must set up two-factor sign-in may open before they have: the account
# page (which says why), signing out, allauth's set-up pages and confirming who they are.
TWO_FACTOR_SETUP_ROUTES = frozenset(
    {
        "account",
        "logout",
        "account_logout",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "healthz",
        "accessibility",
    }
)


def signed_in_with_entra(request: HttpRequest) -> bool:
    """Whether this session signed in through Microsoft Entra ID, which enforces the
    body's own multi-factor policy. allauth records each step of a sign-in in the
    session; Entra ID is the one social account provider."""
    records = get_authentication_records(request, request.user)
    return any(step.get("method") == "socialaccount" for step in records)


def must_set_up_two_factor(request: HttpRequest) -> bool:
    """A signed-in member who must use two-factor sign-in (`must_use_two_factor`), has
    none yet, and did not sign in with Microsoft."""
    if not request.user.is_authenticated:
        return False
    membership = membership_or_none(request)
    if membership is None or not membership.must_use_two_factor:
        return False
    return not signed_in_with_entra(request) and not has_two_factor(request.user)


class TwoFactorRequiredMiddleware:
    """Sends someone who must set up two-factor sign-in to the account page, from every
    URL but those in TWO_FACTOR_SETUP_ROUTES (htmx requests with HX-Redirect). The page
    reads `request.two_factor_setup_needed` to explain why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not must_set_up_two_factor(request):
            return None
        request.two_factor_setup_needed = True  # type: ignore[attr-defined]
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_SETUP_ROUTES:
            return None
        return _redirect(request, reverse("account"))
