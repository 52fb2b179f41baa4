"""PDF exports, rendered in the request: a response laid out as bodies publish them, and
a report's summary (findings, the response's clock, the linked actions).

Every member of the owning body may export, analysts included; another body's record is
a 404. A document takes the highest marking of what it contains."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import selectors
from ..access import get_for_body, require_exporter
from ..editions import edition_content, render_response_pdf
from ..models import (
    Finding,
    FindingKind,
    InspectionReport,
    Marking,
    Membership,
    ProgressUpdate,
    Response,
    ResponseEdition,
    highest_marking,
)
from ..pdf import document_lang, pdf_response, render_document
from ..services import audit
from .common import member, private_file_response

SLUG_LENGTH = 80


def pdf_filename(kind: str, report: InspectionReport) -> str:
    """For example "response-management-of-terrorist-offenders-...-2023-07.pdf"."""
    slug = slugify(report.title)[:SLUG_LENGTH].strip("-") or "report"
    return f"{kind}-{slug}-{report.published_on:%Y-%m}.pdf"


def is_sensitive(*markings: str) -> bool:
    return highest_marking(*markings) == Marking.OFFICIAL_SENSITIVE


def response_for_document(membership: Membership, pk: int) -> Response:
    """The body's response with what its PDF and its Word document print: the report's
    findings in order with their addressees, and the entries."""
    recommendations = Finding.objects.prefetch_related("addressees").order_by("position", "pk")
    return get_for_body(
        Response.objects.select_related("report", "body").prefetch_related(
            Prefetch("report__findings", queryset=recommendations), "entries"
        ),
        membership.body,
        pk=pk,
    )


@require_GET
def response_pdf(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """A published response is the stored PDF of its latest edition, byte for byte; a
    draft is rendered from its rows as they stand."""
    membership = member(request)
    require_exporter(membership)
    response = response_for_document(membership, pk)
    audit.exported(request, response)
    if edition := response.editions.order_by("-number").first():
        return edition_file_response(edition)
    pdf = render_response_pdf(edition_content(response), response=response)
    return pdf_response(pdf, pdf_filename("response", response.report))


@require_GET
def edition_pdf(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """Any edition of the body's response, as it was published."""
    membership = member(request)
    require_exporter(membership)
    edition = get_for_body(
        ResponseEdition.objects.select_related("response__report"),
        membership.body,
        response_id=pk,
        number=number,
    )
    audit.exported(request, edition)
    return edition_file_response(edition)


def edition_file_response(edition: ResponseEdition) -> FileResponse:
    report = edition.response.report
    name = pdf_filename("response", report).removesuffix(".pdf")
    suffix = f"-edition-{edition.number}" if edition.number > 1 else ""
    return private_file_response(
        edition.pdf, filename=f"{name}{suffix}.pdf", content_type="application/pdf"
    )


@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    report = selectors.report_detail(membership.body, pk)
    audit.exported(request, report)
    findings = list(report.findings.all())
    actions = [action for finding in findings for action in finding.actions.all()]
    # One more query, whatever the number of actions; the newest update comes first.
    prefetch_related_objects(
        actions,
        Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-written_at", "-pk")),
    )
    responses = list(report.responses.all())
    # The body's entry for each recommendation (prefetched with the response).
    entries = {entry.finding_id: entry for r in responses for entry in r.entries.all()}
    rows = {
        finding.pk: {
            "finding": finding,
            "entry": entries.get(finding.pk),
            "needs_entry": bool(responses) and finding.is_answerable(),
            "actions": [
                {"action": action, "latest": next(iter(action.updates.all()), None)}
                for action in finding.actions.all()
            ],
        }
        for finding in findings
    }
    groups = [(kind, [rows[f.pk] for f in findings if f.kind == kind]) for kind in FindingKind]
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
