"""Helpers every view uses: the member's context, full-page-or-partial rendering, and
the page for an edit that met a colleague's."""

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
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from ..access import membership_of
from ..models import Membership
from ..services.idempotency import Outcome, key_from, once, repeat
from ..services.merging import EditConflict, kept_changes

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
    """A value as people read it: choice labels, dates as "20 July 2023", names, sets as
    lists."""
    if value is None or value == "":
        return ""
    field = model._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(sorted(str(item) for item in value))  # type: ignore[attr-defined]
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


def _label(model: type[Model], name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def saved_message(message: str, saved: Model) -> str:
    """`message`, and if the save was merged with a colleague's (`services.merging`),
    which of their changes it kept."""
    kept = kept_changes(saved)
    if not kept:
        return message
    fields = ", ".join(_label(type(saved), name).lower() for name in kept)
    return _(
        "%(message)s Someone else had saved changes since you opened it; theirs were kept "
        "too (%(fields)s)."
    ) % {"message": message, "fields": fields}


def conflict_page(
    request: HttpRequest,
    *,
    conflict: EditConflict,
    form: forms.BaseForm,
    make_form: Callable[[Any, dict[str, Any]], forms.BaseForm],
    heading: str,
    back_url: str,
    action_url: str,
) -> HttpResponse:
    """Someone saved first and changed a field the user changed too. The page shows each
    such field, theirs beside the user's, above a form holding the merge: the colleague's
    values where only they changed something, the user's where only the user did, and
    the user's own text in each conflicting field, so saving again is a deliberate choice
    (their version stays in the history). A field the user left alone carries the
    colleague's value, never the user's stale one, and is not shown as a conflict.

    `make_form(instance, initial)` makes the unbound form for the row as saved now."""
    result = conflict.result
    assert result is not None, "conflict_page needs the merge (services.merging)"
    fresh = result.current
    model = type(fresh)
    initial = dict(result.merged)
    for reason in ("change_reason", "target_reason"):  # the user's reasons are kept too
        if reason in form.cleaned_data:
            initial[reason] = form.cleaned_data[reason]
    merged = make_form(fresh, initial)
    changed = [
        {
            "label": merged.fields[name].label or _label(model, name),
            "theirs": _display(model, name, result.theirs[name]),
            "yours": _display(model, name, result.merged[name]),
        }
        for name in result.conflicts
    ]
    context = {
        "heading": heading,
        "back_url": back_url,
        "action_url": action_url,
        "form": merged,
        "changed": changed,
        "kept": [_label(model, name) for name in result.kept],
        "editor": fresh.history.select_related("history_user").first(),
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx:
        # From a form edited in place: the comparison takes the whole page's place.
        response = render(request, "inspections/conflict.html#conflict", context, status=409)
        return reswap(retarget(response, "#main-content"), "innerHTML")
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


def create_once[T](
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    create: Callable[[], T],
    answer: Callable[[T], tuple[str, str]],
) -> Outcome[Any] | None:
    """A create form's submission, at most once per idempotency key: the first answer
    again for a repeat, the new record's answer for a valid form, None for an invalid one
    (the caller re-renders the form)."""
    key = key_from(request.POST)
    outcome = repeat(key=key, user=request.user)
    if outcome is None and form.is_valid():
        outcome = once(key=key, user=request.user, create=create, answer=answer)
    return outcome
