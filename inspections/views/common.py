"""Helpers every view uses: the member's context and full-page-or-partial rendering."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from ..access import membership_of
from ..models import Membership

PAGE_SIZE = 25


def member(request: HttpRequest) -> Membership:
    return membership_of(request)


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only the named partial when htmx asks for it (but the whole
    page when htmx restores history)."""
    htmx = request.htmx  # type: ignore[attr-defined]
    wants_partial = partial and htmx and not htmx.history_restore_request
    response = render(
        request, f"{template}#{partial}" if wants_partial else template, context, status=status
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate[M: Model](request: HttpRequest, queryset: QuerySet[M]) -> Page[M]:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pagination and sort links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
