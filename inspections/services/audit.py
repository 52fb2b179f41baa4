"""Writing the sign-in log: the one function every part of the app calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ..models import AuditEvent, AuditKind, Membership, PolicingBody

MAX_AGENT = 300
MAX_DETAIL = 500
MAX_PATH = 500


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from. Behind a proxy, set the proxy to pass it in
    REMOTE_ADDR (gunicorn's --forwarded-allow-ips); a client-sent header is not trusted."""
    return request.META.get("REMOTE_ADDR") or None


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
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if body is None and user is not None and user.pk is not None:
        membership = Membership.objects.filter(user_id=user.pk).only("body_id").first()
        body_id = membership.body_id if membership else None
    else:
        body_id = body.pk if body is not None else None
    return AuditEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk is not None else None,
        body_id=body_id,
        username=(username or (user.get_username() if user is not None else ""))[:254],
        detail=detail[:MAX_DETAIL],
        path=request.get_full_path()[:MAX_PATH] if request is not None else "",
        ip_address=client_address(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:MAX_AGENT] if request else "",
    )
