"""The sign-in log, for the body's administrators only: the page (newest first, filtered,
25 a page, times in UTC) and the same rows as a CSV download. Only the body's own rows,
and nothing here (or anywhere in the app) changes or deletes one."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import require_administrator
from ..forms.audit import AuditFilterForm
from ..models import AuditEvent, AuditKind, PolicingBody
from ..services import audit
from .common import member, paginate, query_without_page, render_page

LOG = "inspections/audit/log.html"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK = 500


def events_for(body: PolicingBody, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The body's log, newest first, narrowed by `AuditFilterForm.filters()`."""
    events = AuditEvent.objects.filter(body=body).select_related("user")
    if filters["kind"]:
        events = events.filter(kind=filters["kind"])
    if filters["who"]:
        events = events.filter(username__icontains=filters["who"])
    if filters["start"]:
        events = events.filter(at__gte=filters["start"])
    if filters["end"]:
        events = events.filter(at__lt=filters["end"])
    return events.order_by("-at", "-pk")


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_administrator(membership)
    form = AuditFilterForm(request.GET)
    context = {
        "filters": form,
        "page": paginate(request, events_for(membership.body, form.filters())),
        "query": query_without_page(request),
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    }
    return render_page(request, LOG, context, partial="results")


@require_GET
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered rows as CSV, streamed, in UTF-8 with a byte order mark so that Excel
    reads it as such. The download is itself logged, but is not one of its own rows."""
    membership = member(request)
    require_administrator(membership)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    this = audit.exported(request, describe_csv(form))
    events = events_for(membership.body, filters).exclude(pk=this.pk)
    response = StreamingHttpResponse(csv_lines(events), content_type="text/csv; charset=utf-8")
    today = timezone.now().astimezone(dt.UTC).date()
    response["Content-Disposition"] = f'attachment; filename="sign-in-log-{today:%Y-%m-%d}.csv"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def describe_csv(form: AuditFilterForm) -> str:
    """The export as the log records it: "Sign-in log (CSV): Signed in; who "ali"; …"."""
    data = form.cleaned_data
    parts = []
    if data.get("kind"):
        parts.append(str(AuditKind(data["kind"]).label))
    if data.get("who"):
        parts.append(_("who “%(who)s”") % {"who": data["who"].strip()})
    if data.get("date_from"):
        parts.append(_("from %(day)s") % {"day": date_format(data["date_from"], "j F Y")})
    if data.get("date_to"):
        parts.append(_("to %(day)s") % {"day": date_format(data["date_to"], "j F Y")})
    what = _("Sign-in log (CSV)")
    return f"{what}: {'; '.join(parts)}" if parts else what


class _Echo:
    """A file-like object whose write hands back the line: csv.writer writes one row."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: object) -> str:
    """A value as a cell that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the byte order mark
    yield writer.writerow(
        [
            _("When (UTC)"),
            _("Username"),
            _("Name"),
            _("What"),
            _("Detail"),
            _("Address requested"),
            _("From address"),
            _("Browser"),
        ]
    )
    for event in events.iterator(chunk_size=CSV_CHUNK):
        yield writer.writerow(
            [
                utc_iso(event.at),
                *(
                    safe_cell(value)
                    for value in (
                        event.username,
                        event.user.get_full_name() if event.user else "",
                        event.get_kind_display(),
                        event.detail,
                        event.path,
                        event.ip_address,
                        event.user_agent,
                    )
                ),
            ]
        )
