"""Helpers every view uses: the member's context and full-page-or-partial rendering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


def _display(model: type[Model], name: str, value: object) -> str:
    """A value as people read it: choice labels, dates as "20 July 2023", names."""
    if value is None or value == "":
        return ""
    field = model._meta.get_field(name)
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


def conflict_page(
    request: HttpRequest,
    *,
    form: forms.ModelForm,  # type: ignore[type-arg]
    make_form: Callable[[Any, Any], forms.ModelForm],  # type: ignore[type-arg]
    heading: str,
    back_url: str,
    action_url: str,
) -> HttpResponse:
    """Someone saved first. Show their saved version beside the user's own, and keep the
    user's text in a form based on their version, so saving again is a deliberate choice
    (their version stays in the history)."""
    model = form._meta.model
    assert model is not None
    fresh = model._default_manager.get(pk=form.instance.pk)
    fields = [f for f in form._meta.fields or [] if f != "version"]
    saved = {name: getattr(fresh, name) for name in fields}
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict for posted forms
    data["version"] = str(fresh.version)
    mine = make_form(data, model._default_manager.get(pk=fresh.pk))
    mine.is_valid()  # only to normalise the user's values for the comparison
    changed = []
    for name in fields:
        theirs = _display(model, name, saved[name])
        yours = _display(model, name, mine.cleaned_data.get(name, data.get(name)))
        if theirs != yours:
            changed.append({"label": mine.fields[name].label, "theirs": theirs, "yours": yours})
    context = {
        "heading": heading,
        "back_url": back_url,
        "action_url": action_url,
        "form": mine,
        "changed": changed,
        "editor": fresh.history.select_related("history_user").first(),
    }
    return render(request, "inspections/conflict.html", context, status=409)


def private_file_response(file: Any, *, filename: str, content_type: str) -> FileResponse:
    """A stored private file as a download: only ever after the caller has checked that
    the record belongs to the user's body. Missing from storage is a 404."""
    try:
        handle = file.storage.open(str(file.name), "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"  # the type is ours; no second-guessing
    patch_cache_control(response, private=True, no_store=True)
    return response
