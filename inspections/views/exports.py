"""Every list as CSV or XLSX, with the filters and sort in the address, exactly as the
list page shows it (`exports.tables` reads the list's own selector); and the same CSV as
a feed for Power BI or Excel, fetched with a personal API token instead of a session.

Who may: those who may export (`require_exporter`: analysts, editors, approvers). Force
contributors reach none of these addresses (`ContributorScopeMiddleware`: they are not
in their allow-list), and their tokens never work. The sign-in log's XLSX is for
administrators, as its page and CSV are. Each download and each feed use is logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import require_administrator, require_exporter
from ..exports import tables, writers
from ..forms.actions import ActionFilterForm
from ..forms.audit import AuditFilterForm
from ..forms.reports import ReportFilterForm
from ..forms.scope import FindingFilterForm, ResponseFilterForm
from ..models import Membership
from ..scope import Scope
from ..services import audit
from ..services.tokens import token_authenticate
from .audit import describe_csv
from .common import member

FORMATS = {"csv": "CSV", "xlsx": "XLSX"}


# --- Which list, with which filters -------------------------------------------------------


def describe_filters(form: forms.Form, cleaned: dict[str, Any]) -> str:
    """The filters that apply, as people read them: "Status: In progress; RAG: Red"."""
    parts = []
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if value in (None, "", False):
            continue
        if isinstance(field, forms.ModelChoiceField):
            shown = str(value)
        elif isinstance(field, forms.ChoiceField):
            shown = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        elif isinstance(value, dt.date):
            shown = date_format(value, "j F Y")
        elif value is True:
            shown = _("yes")
        else:
            shown = str(value).strip()
        parts.append(f"{field.label}: {shown}")
    return "; ".join(parts)


type Build = Callable[[Membership, QueryDict, dt.date], tuple[tables.Table, str]]


def _reports(membership: Membership, params: QueryDict, today: dt.date) -> tuple[tables.Table, str]:
    form = ReportFilterForm(params)
    cleaned = form.cleaned_data if form.is_valid() else {}  # as the list page does
    return tables.report_table(membership.body, cleaned), describe_filters(form, cleaned)


def _findings(
    membership: Membership, params: QueryDict, today: dt.date
) -> tuple[tables.Table, str]:
    form = FindingFilterForm(params, body=membership.body)
    cleaned = form.cleaned_data if form.is_valid() else {}
    table = tables.finding_table(membership.body, Scope.from_cleaned(cleaned), cleaned, today)
    return table, describe_filters(form, cleaned)


def _responses(
    membership: Membership, params: QueryDict, today: dt.date
) -> tuple[tables.Table, str]:
    form = ResponseFilterForm(params)
    cleaned = form.cleaned_data if form.is_valid() else {}
    table = tables.response_table(
        membership.body,
        Scope.from_cleaned(cleaned),
        cleaned.get("state") or "",
        today,
        due_before=cleaned.get("due_before"),
        year=cleaned.get("year"),
    )
    return table, describe_filters(form, cleaned)


def _action_filters(membership: Membership, params: QueryDict) -> tuple[ActionFilterForm, Any]:
    form = ActionFilterForm(params, membership=membership)
    form.is_valid()  # as the list page: an invalid filter is left out, the valid ones apply
    return form, form.cleaned_data


def _actions(membership: Membership, params: QueryDict, today: dt.date) -> tuple[tables.Table, str]:
    form, cleaned = _action_filters(membership, params)
    table = tables.action_table(membership, cleaned, today=today)
    return table, describe_filters(form, cleaned)


def _updates(membership: Membership, params: QueryDict, today: dt.date) -> tuple[tables.Table, str]:
    form, cleaned = _action_filters(membership, params)
    table = tables.update_table(membership, cleaned, today=today)
    return table, describe_filters(form, cleaned)


@dataclass(frozen=True)
class Listing:
    build: Build
    title: Callable[[], str]


# By the name each has in a feed's address (`/feeds/<name>.csv`).
LISTINGS: dict[str, Listing] = {
    "reports": Listing(_reports, lambda: _("Inspection reports")),
    "findings": Listing(_findings, lambda: _("Findings")),
    "responses": Listing(_responses, lambda: _("Responses")),
    "actions": Listing(_actions, lambda: _("Assurance actions")),
    "updates": Listing(_updates, lambda: _("Progress updates")),
}


def describe(title: str, how: str, filters: str) -> str:
    """The export as the log records it: "Assurance actions (XLSX): Status: In progress"."""
    what = f"{title} ({how})"
    return f"{what}: {filters}" if filters else what


# --- Files --------------------------------------------------------------------------------


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def file_response(table: tables.Table, fmt: str, *, attachment: bool = True) -> HttpResponseBase:
    """The table as a download: CSV streamed as it is read, XLSX from a temporary file."""
    name = writers.filename(table, fmt)
    if fmt == "xlsx":
        return _private(
            FileResponse(
                writers.xlsx_file(table),
                as_attachment=attachment,
                filename=name,
                content_type=writers.XLSX_TYPE,
            )
        )
    response = StreamingHttpResponse(writers.csv_chunks(table), content_type=writers.CSV_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return _private(response)


def _export(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    membership = member(request)
    require_exporter(membership)
    if fmt not in FORMATS:
        raise Http404("No such format.")
    listing = LISTINGS[name]
    table, filters = listing.build(membership, request.GET, timezone.localdate())
    audit.exported(request, describe(listing.title(), FORMATS[fmt], filters))
    return file_response(table, fmt)


@require_GET
def report_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "reports", fmt)


@require_GET
def finding_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "findings", fmt)


@require_GET
def response_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "responses", fmt)


@require_GET
def action_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "actions", fmt)


@require_GET
def update_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(request, "updates", fmt)


@require_GET
def audit_log_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The sign-in log as its page filters it, for the body's administrators. The download
    is itself logged, but is not one of its own rows (as with the CSV)."""
    membership = member(request)
    require_administrator(membership)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    this = audit.exported(request, describe_csv(form, how="XLSX"))
    table = tables.sign_in_log_table(membership.body, filters, leave_out=this.pk)
    return file_response(table, "xlsx")


# --- Feeds --------------------------------------------------------------------------------

BEARER = "bearer"


def _bearer_token(request: HttpRequest) -> str:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == BEARER else ""


def _unauthorised() -> HttpResponse:
    """One answer for a missing, unknown or revoked token, and for one whose owner may no
    longer export."""
    response = HttpResponse(
        _("A valid API token is needed: send it as “Authorization: Bearer <token>”.\n"),
        status=401,
        content_type="text/plain; charset=utf-8",
    )
    response["WWW-Authenticate"] = 'Bearer realm="PCC Responses"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_not_required
@require_GET
def feed(request: HttpRequest, name: str) -> HttpResponseBase:
    """A list's CSV for a token (`Authorization: Bearer <token>`), never for a session:
    the query string filters and sorts it as on the list page. The token acts with its
    owner's membership as it is now."""
    listing = LISTINGS.get(name)
    if listing is None:
        raise Http404("No such feed.")
    secret = _bearer_token(request)
    what = _("Feed: %(list)s") % {"list": listing.title()}
    membership = token_authenticate(secret=secret, request=request, what=what) if secret else None
    if membership is None:
        return _unauthorised()
    table, _filters = listing.build(membership, request.GET, timezone.localdate())
    return file_response(table, "csv", attachment=False)
