"""Personal API tokens on the account page: the list (name, ending, created, last used),
making one (its secret is shown on the page that answers the form, once, and never
stored) and revoking one. For those who may export; a force contributor reaches none of
this (`ContributorScopeMiddleware`) and may not make one (`services.tokens`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import require_exporter
from ..forms.tokens import TokenForm
from ..models import ApiToken, Membership
from ..services import tokens as services
from ..services.idempotency import key_from, once, repeat
from .common import member, render_page

LIST = "inspections/tokens/list.html"


def _tokens(membership: Membership) -> list[ApiToken]:
    """The member's own tokens in their body: working ones first, newest first."""
    return list(
        ApiToken.objects.filter(user_id=membership.user_id, body_id=membership.body_id).order_by(
            F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
        )
    )


def _page(
    request: HttpRequest, membership: Membership, form: TokenForm, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": _tokens(membership),
        "feeds": [
            settings.SITE_URL.rstrip("/") + reverse("feed", kwargs={"name": name})
            for name in ("reports", "findings", "responses", "actions", "updates")
        ],
        **extra,
    }
    response = render_page(request, LIST, context, status=status)
    patch_cache_control(response, private=True, no_store=True)  # it may hold a new secret
    return response


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    if request.method == "GET":
        return _page(request, membership, TokenForm())
    key = key_from(request.POST)
    if repeat(key=key, user=request.user):
        # The same form sent again: the token exists, and its secret was shown once.
        messages.info(
            request,
            _(
                "That token was made already and its secret shown once. If you did not copy "
                "it, revoke it and make another."
            ),
        )
        return redirect("token_list")
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, form, status=422)
    outcome = once(
        key=key,
        user=request.user,
        create=lambda: services.token_create(
            membership=membership, name=form.cleaned_data["name"], request=request
        ),
        answer=lambda made: (reverse("token_list"), _("Token made.")),
    )
    if outcome.created is None:  # a double submit that met the first at the key
        return redirect("token_list")
    token, secret = outcome.created
    return _page(request, membership, TokenForm(), new_token=token, secret=secret)


@require_POST
def token_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    """`pk` is digits (the route's regex). Only the member's own token; any other is 404."""
    membership = member(request)
    require_exporter(membership)
    token = ApiToken.objects.filter(
        pk=int(pk), user_id=membership.user_id, body_id=membership.body_id
    ).first()
    if token is None:
        raise Http404("No such token of yours.")
    services.token_revoke(token=token, request=request)
    messages.success(
        request,
        _("Token “%(name)s” revoked: it no longer opens any feed.") % {"name": token.name},
    )
    return redirect("token_list")
