"""PDF exports, rendered in the request: a response laid out as bodies publish them, and
a report's summary (findings, the response's clock, the linked actions).

Every member of the owning body may export, analysts included; another body's record is
a 404. A document takes the highest marking of what it contains."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import selectors
from ..access import get_for_body, require_exporter
from ..models import (
    Finding,
    FindingKind,
    InspectionReport,
    Marking,
    ProgressUpdate,
    Response,
    highest_marking,
)
from ..pdf import pdf_response, render_document
from .common import member

SLUG_LENGTH = 80


def document_lang() -> str:
    """The active language as BCP 47 for `<html lang>`, which WeasyPrint writes into the
    PDF's /Lang: "en-gb" becomes "en-GB", "cy" stays "cy"."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return translation.to_locale(language).replace("_", "-")


def pdf_filename(kind: str, report: InspectionReport) -> str:
    """For example "response-management-of-terrorist-offenders-...-2023-07.pdf"."""
    slug = slugify(report.title)[:SLUG_LENGTH].strip("-") or "report"
    return f"{kind}-{slug}-{report.published_on:%Y-%m}.pdf"


def is_sensitive(*markings: str) -> bool:
    return highest_marking(*markings) == Marking.OFFICIAL_SENSITIVE


@require_GET
def response_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    recommendations = (
        Finding.objects.filter(kind=FindingKind.RECOMMENDATION)
        .prefetch_related("addressees")
        .order_by("position", "pk")
    )
    response = get_for_body(
        Response.objects.select_related("report", "body").prefetch_related(
            Prefetch("report__findings", queryset=recommendations), "entries"
        ),
        membership.body,
        pk=pk,
    )
    report = response.report
    entries = {entry.finding_id: entry for entry in response.entries.all()}
    # One entry per recommendation the response must answer, and any other the body
    # chose to answer.
    rows = [
        {"finding": finding, "entry": entries.get(finding.pk)}
        for finding in report.findings.all()
        if finding.is_answerable() or finding.pk in entries
    ]
    context: dict[str, Any] = {
        "response": response,
        "report": report,
        "body": response.body,
        "rows": rows,
        "sensitive": is_sensitive(response.marking, report.marking),
        "author": response.body.office_name,
        "lang": document_lang(),
    }
    pdf = render_document("pdf/response.html", context, request=request)
    return pdf_response(pdf, pdf_filename("response", report))


@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    report = selectors.report_detail(membership.body, pk)
    findings = list(report.findings.all())
    actions = [action for finding in findings for action in finding.actions.all()]
    # One more query, whatever the number of actions; the newest update comes first.
    prefetch_related_objects(
        actions,
        Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-written_at", "-pk")),
    )
    rows = {
        finding.pk: {
            "finding": finding,
            "actions": [
                {"action": action, "latest": next(iter(action.updates.all()), None)}
                for action in finding.actions.all()
            ],
        }
        for finding in findings
    }
    groups = [(kind, [rows[f.pk] for f in findings if f.kind == kind]) for kind in FindingKind]
    responses = list(report.responses.all())
    context: dict[str, Any] = {
        "report": report,
        "body": membership.body,
        "groups": [(kind, items) for kind, items in groups if items],
        "response": responses[0] if responses else None,
        "today": timezone.localdate(),
        "sensitive": is_sensitive(report.marking, *(r.marking for r in responses)),
        "author": membership.body.office_name,
        "lang": document_lang(),
    }
    pdf = render_document("pdf/report_summary.html", context, request=request)
    return pdf_response(pdf, pdf_filename("inspection-summary", report))
