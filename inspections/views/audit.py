"""The sign-in log, for the body's administrators only: the page (newest first, filtered,
25 a page, times in UTC) and the same rows as a CSV download (the XLSX is in
views/exports). Only the body's own rows, and nothing here (or anywhere in the app)
changes or deletes one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import selectors
from ..access import require_administrator
from ..exports import tables, writers
from ..forms.audit import AuditFilterForm
from ..models import AuditKind
from ..services import audit
from .common import member, paginate, query_without_page, render_page

LOG = "inspections/audit/log.html"


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_administrator(membership)
    form = AuditFilterForm(request.GET)
    context = {
        "filters": form,
        "page": paginate(request, selectors.sign_in_log(membership.body, form.filters())),
        "query": query_without_page(request),
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    }
    return render_page(request, LOG, context, partial="results")


@require_GET
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered rows as CSV, streamed, in UTF-8 with a byte order mark so that Excel
    reads it as such (`exports.writers`). The download is itself logged, but is not one of
    its own rows. Header first, as it always was: the log is never marked."""
    membership = member(request)
    require_administrator(membership)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    this = audit.exported(request, describe_csv(form))
    table = tables.sign_in_log_table(membership.body, filters, leave_out=this.pk, marked=False)
    response = StreamingHttpResponse(writers.csv_chunks(table), content_type=writers.CSV_TYPE)
    today = timezone.now().astimezone(dt.UTC).date()
    response["Content-Disposition"] = f'attachment; filename="sign-in-log-{today:%Y-%m-%d}.csv"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def describe_csv(form: AuditFilterForm, *, how: str = "CSV") -> str:
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
    what = _("Sign-in log (%(format)s)") % {"format": how}
    return f"{what}: {'; '.join(parts)}" if parts else what
