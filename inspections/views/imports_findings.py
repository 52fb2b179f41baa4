"""Importing a report's findings from its PDF or pasted text: read, preview as a table
where every value can be corrected, then add the ticked rows in one transaction. Findings
the report already has (matched by reference) are shown and never added twice. Nothing
is saved before the confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ..access import get_for_body, require_editor
from ..forms.imports_findings import (
    BaseFindingRowFormSet,
    FindingsSourceForm,
    ImportConfirmForm,
    finding_rows,
)
from ..imports.findings import ParsedReport
from ..models import Addressee, Finding, FindingKind, InspectionReport
from ..services import imports_findings as services
from ..services.idempotency import key_from, once, repeat
from ..services.reports import FindingReferenceTaken
from ..services.responses import ChangeReasonNeeded, finding_changes_need_reason
from .common import member, render_page
from .findings import REASON_MESSAGE

# "6 recommendations", "1 cause of concern": what the preview says it found.
COUNTED: dict[str, Callable[[int], str]] = {
    FindingKind.RECOMMENDATION: lambda n: (
        ngettext("%(n)d recommendation", "%(n)d recommendations", n) % {"n": n}
    ),
    FindingKind.CAUSE_OF_CONCERN: lambda n: (
        ngettext("%(n)d cause of concern", "%(n)d causes of concern", n) % {"n": n}
    ),
    FindingKind.AREA_FOR_IMPROVEMENT: lambda n: (
        ngettext("%(n)d area for improvement", "%(n)d areas for improvement", n) % {"n": n}
    ),
    FindingKind.INNOVATIVE_PRACTICE: lambda n: (
        ngettext("%(n)d example of innovative practice", "%(n)d examples of innovative practice", n)
        % {"n": n}
    ),
}
SOURCE = "inspections/imports/findings.html"
PREVIEW = "inspections/imports/findings_preview.html"


@require_http_methods(["GET", "POST"])
def import_findings(request: HttpRequest, report_pk: int) -> HttpResponse:
    membership = member(request)
    report = get_for_body(InspectionReport.objects.all(), membership.body, pk=report_pk)
    require_editor(membership)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request, report)
    if request.method == "POST":
        form = FindingsSourceForm(request.POST, request.FILES, report=report)
        if form.is_valid():
            return _preview(
                request, report, form.cleaned_data["parsed"], form.cleaned_data["source"]
            )
        return render_page(request, SOURCE, {"form": form, "report": report}, status=422)
    form = FindingsSourceForm(report=report)
    return render_page(request, SOURCE, {"form": form, "report": report})


def _existing(report: InspectionReport) -> dict[str, Finding]:
    findings = Finding.objects.filter(report=report).only("reference", "kind", "text")
    return {services.reference_key(f.reference): f for f in findings}


def _reason_needed(report: InspectionReport) -> bool:
    return finding_changes_need_reason(report.responses.values_list("status", flat=True))


def _preview(
    request: HttpRequest, report: InspectionReport, parsed: ParsedReport, source: str
) -> HttpResponse:
    """The table of what was read; nothing saved."""
    existing = _existing(report)
    addressees = list(Addressee.objects.all())
    pks = {a.code: str(a.pk) for a in addressees}
    initial = []
    for finding in parsed.findings:
        matched = services.reference_key(finding.reference) in existing
        initial.append(
            {
                "include": not matched,
                "matched": matched,
                "kind": finding.kind,
                "reference": finding.reference,
                "cause_of_concern": finding.cause_of_concern,
                "text": finding.text,
                "addressees": [pks[code] for code in finding.addressees if code in pks],
                "deadline_text": finding.deadline_text,
                "deadline": finding.deadline,
            }
        )
    formset = finding_rows(initial=initial, addressees=addressees, existing=existing)
    confirm = ImportConfirmForm(initial={"source": source}, reason_needed=_reason_needed(report))
    context = _context(report, formset, confirm, list(parsed.warnings), source, pages=parsed.pages)
    return render_page(request, PREVIEW, context)


def _context(
    report: InspectionReport,
    formset: BaseFindingRowFormSet,
    confirm: ImportConfirmForm,
    warnings: list[str],
    source: str,
    pages: int = 0,
) -> dict[str, Any]:
    kinds = [str(form["kind"].value()) for form in formset.forms]
    counts = [COUNTED[kind](kinds.count(kind)) for kind in FindingKind.values if kind in kinds]
    problems = [
        (cast(Any, field).error_anchor, str(error)) for field in confirm for error in field.errors
    ]
    problems += [("findings-table", str(e)) for e in confirm.non_field_errors()]
    if formset.is_bound:
        problems += formset.error_summary()
    return {
        "report": report,
        "formset": formset,
        "confirm": confirm,
        "warnings": warnings,
        "source": source,
        "pages": pages,
        "counts": get_text_list(counts, _("and")),
        "problems": problems,
    }


def _confirm(request: HttpRequest, report: InspectionReport) -> HttpResponse:
    key = key_from(request.POST)
    if repeated := repeat(key=key, user=request.user):
        messages.success(request, repeated.message)
        return redirect(repeated.result_url)
    addressees = list(Addressee.objects.all())
    formset = finding_rows(request.POST, addressees=addressees, existing=_existing(report))
    reason_needed = _reason_needed(report)
    confirm = ImportConfirmForm(request.POST, reason_needed=reason_needed)
    warnings = request.POST.getlist("warning")
    status = 422
    if formset.is_valid() and confirm.is_valid():
        try:
            outcome = once(
                key=key,
                user=request.user,
                create=lambda: services.findings_import(
                    report=report,
                    rows=formset.new_findings(),
                    user=request.user,
                    source=confirm.cleaned_data["source"],
                    change_reason=confirm.cleaned_data.get("change_reason", ""),
                    already=[str(row["reference"].value()) for row in formset.matched_rows],
                    request=request,
                ),
                answer=lambda result: (
                    reverse("report_detail", args=[report.pk]) + "#findings",
                    _imported_message(result),
                ),
            )
        except ChangeReasonNeeded:
            # The response was sent for approval or approved since the preview opened.
            confirm = ImportConfirmForm(request.POST, reason_needed=True)
            confirm.is_valid()
            confirm.add_error("change_reason", REASON_MESSAGE)
        except FindingReferenceTaken:
            # Added by someone else at the same moment: the row now says so.
            formset = finding_rows(request.POST, addressees=addressees, existing=_existing(report))
            formset.is_valid()
            status = 409
        else:
            messages.success(request, outcome.message)
            return redirect(outcome.result_url)
    source = str(confirm["source"].value() or "")
    context = _context(report, formset, confirm, warnings, source)
    return render_page(request, PREVIEW, context, status=status)


def _imported_message(result: services.FindingsImported) -> str:
    added = ngettext(
        "%(count)d finding imported.", "%(count)d findings imported.", len(result.added)
    ) % {"count": len(result.added)}
    if not result.already:
        return added
    already = ngettext(
        "%(count)d was already in the report and was not added again.",
        "%(count)d were already in the report and were not added again.",
        len(result.already),
    ) % {"count": len(result.already)}
    return f"{added} {already}"
