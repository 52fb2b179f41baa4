"""Importing a published response: paste it or upload it, check and correct what was read
in a preview (nothing is saved), then confirm to save it all in one transaction.

The preview carries every field in its form, so nothing is kept between the steps: the
confirm posts the corrected values, and its idempotency key makes a double submit store
one response."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_for_body, require_editor
from ..forms.imports_response import (
    NEW,
    SKIP,
    BaseImportedEntryFormSet,
    ImportedEntryFormSet,
    ImportedResponseForm,
    ImportReportForm,
    ResponseSourceForm,
)
from ..imports import responses as parser
from ..models import (
    AuditKind,
    Finding,
    FindingKind,
    InspectionReport,
    Membership,
    PolicingBody,
    Response,
)
from ..services import audit, workflow
from ..services import imports_response as services
from ..services.idempotency import Outcome, key_from, once, repeat
from ..services.reports import FindingReferenceTaken
from .common import member, render_page

SOURCE = "inspections/imports/response.html"
PREVIEW = "inspections/imports/response_preview.html"
ENTRIES = "entries"
RESPONSE_FIELDS = (
    "comments",
    "chief_comments",
    "chief_comments_reply",
    "signatory_name",
    "signatory_role",
    "closing_line",
    "published_on",
    "published_url",
)


def _reports(body: PolicingBody) -> list[InspectionReport]:
    return list(body.reports.order_by("-published_on", "title"))


def _report(body: PolicingBody, value: Any) -> InspectionReport | None:
    """The body's report a form names by its id; another body's is a 404."""
    text = str(value or "")
    if not text.isdigit():
        return None
    return get_for_body(InspectionReport.objects.all(), body, pk=int(text))


def _recommendations(report: InspectionReport | None) -> list[Finding]:
    if report is None:
        return []
    return list(
        report.findings.filter(kind=FindingKind.RECOMMENDATION)
        .prefetch_related("addressees")
        .order_by("position", "pk")
    )


def _entries(
    report: InspectionReport | None,
    findings: Sequence[Finding],
    data: Mapping[str, Any] | None = None,
    initial: list[dict[str, Any]] | None = None,
) -> BaseImportedEntryFormSet:
    existing = list(report.findings.values_list("reference", flat=True)) if report else []
    return ImportedEntryFormSet(
        data,
        initial=initial,
        prefix=ENTRIES,
        form_kwargs={"findings": findings},
        existing_references=existing,
    )


def _entry_initial(entries: Sequence[parser.ParsedEntry], new: bool) -> list[dict[str, Any]]:
    return [
        {
            "finding": str(entry.finding_id) if entry.finding_id and not new else NEW,
            "reference": entry.reference,
            "recommendation": entry.recommendation,
            "answer": entry.answer,
            "text": entry.comment,
        }
        for entry in entries
    ]


def _match(
    entries: Sequence[parser.ParsedEntry], findings: Sequence[Finding]
) -> list[parser.ParsedEntry]:
    parser.match_findings(
        entries, [parser.FindingChoice(f.pk, f.reference, f.text) for f in findings]
    )
    return list(entries)


def _matched_report(
    reports: Sequence[InspectionReport], title: str, month: int | None, year: int | None
) -> InspectionReport | None:
    choices = [parser.ReportChoice(r.pk, r.title, r.published_on) for r in reports]
    pk = parser.match_report(title, month, year, choices)
    return next((r for r in reports if r.pk == pk), None)


def _new_report_initial(title: str, month: int | None, year: int | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"title": title}
    if month is not None and year is not None:
        initial["published_on"] = ["", str(month), str(year)]  # the day is the editor's
    return initial


def _month_year(value: str) -> tuple[int | None, int | None]:
    parts = value.split()
    if len(parts) == 2 and parts[1].isdigit():
        months = [m.casefold() for m in parser.MONTHS]
        if parts[0].casefold() in months:
            return months.index(parts[0].casefold()) + 1, int(parts[1])
    return None, None


def _preview(
    request: HttpRequest,
    membership: Membership,
    *,
    form: ImportedResponseForm,
    entries: BaseImportedEntryFormSet,
    report_form: ImportReportForm,
    report: InspectionReport | None,
    findings: Sequence[Finding],
    warnings: Sequence[str] = (),
    existing: Response | None = None,
    status: int = 200,
) -> HttpResponse:
    new = str(form["report"].value() or "") == NEW
    if report is not None and existing is None:
        existing = Response.objects.filter(body=membership.body, report=report).first()
    answering = {str(entry["finding"].value()) for entry in entries.forms}
    office = membership.body.office_name
    response_from = str(form["response_from"].value() or "")
    forms: list[BaseForm] = [form, *([report_form] if new else []), *entries.forms]
    context = {
        "form": form,
        "entries": entries,
        "report_form": report_form,
        "new_report": new,
        "report": report,
        "existing": existing,
        # Answerable recommendations no entry answers: publishing will be refused (s55(5B)).
        "missing": [f for f in findings if f.is_answerable() and str(f.pk) not in answering],
        "warnings": warnings,
        "office": office,
        "from_differs": not parser.same_office(response_from, office),
        "error_forms": [f for f in forms if f.errors],
        "has_errors": any(f.errors for f in forms) or bool(entries.non_form_errors()),
    }
    return render_page(request, PREVIEW, context, status=status)


@require_http_methods(["GET", "POST"])
def import_response(request: HttpRequest) -> HttpResponse:
    """The source: pasted text or a file. A valid one shows the preview; nothing is saved."""
    membership = member(request)
    require_editor(membership)
    body = membership.body
    preselected = _report(body, request.POST.get("report") or request.GET.get("report"))
    source = ResponseSourceForm(
        request.POST or None,
        request.FILES or None,
        initial={"report": preselected.pk if preselected else None},
    )
    if request.method == "GET":
        return render_page(request, SOURCE, {"form": source, "report": preselected})
    if not source.is_valid() or "parsed" not in source.cleaned_data:
        return render_page(request, SOURCE, {"form": source, "report": preselected}, status=422)
    parsed: parser.ParsedResponse = source.cleaned_data["parsed"]
    reports = _reports(body)
    report = preselected or _matched_report(reports, parsed.title, parsed.month, parsed.year)
    findings = _recommendations(report)
    entries = _entries(
        report, findings, initial=_entry_initial(_match(parsed.entries, findings), report is None)
    )
    form = ImportedResponseForm(
        reports=reports,
        initial={
            "report": str(report.pk) if report else NEW,
            "title": parsed.title,
            "month_year": parsed.month_year,
            "response_from": parsed.response_from,
            "source": source.cleaned_data["source"],
            **{name: getattr(parsed, name) for name in RESPONSE_FIELDS},
        },
    )
    report_form = ImportReportForm(
        body=body, initial=_new_report_initial(parsed.title, parsed.month, parsed.year)
    )
    warnings = list(parsed.warnings)
    if report is None:
        warnings.insert(
            0,
            _(
                "No report of yours matches the title and its month and year. Add the report "
                "below, or choose it if it is there under another title."
            ),
        )
    for entry in parsed.entries:
        if report is not None and entry.finding_id is None:
            warnings.append(
                _(
                    "%(name)s is not among the report's recommendations: it will be added to "
                    "the report, unless you choose one of them or leave it out."
                )
                % {"name": entry.reference or entry.recommendation[:60]}
            )
    return _preview(
        request,
        membership,
        form=form,
        entries=entries,
        report_form=report_form,
        report=report,
        findings=findings,
        warnings=warnings,
    )


def _rematched(
    request: HttpRequest,
    membership: Membership,
    *,
    form: ImportedResponseForm,
    entries: BaseImportedEntryFormSet,
    report_form: ImportReportForm,
    reports: Sequence[InspectionReport],
    report: InspectionReport | None,
) -> HttpResponse:
    """The preview again, as corrected so far, with the entries matched to the chosen
    report's recommendations (or, with no report chosen, the report matched again by the
    corrected title). Still nothing is saved."""
    values = {name: form[name].value() for name in form.fields}
    chosen = str(values.get("report") or "")
    if not chosen:
        month, year = _month_year(str(values.get("month_year") or ""))
        report = _matched_report(reports, str(values.get("title") or ""), month, year)
        values["report"] = str(report.pk) if report else NEW
    new = values["report"] == NEW
    findings = _recommendations(report)
    posted = [{name: entry[name].value() for name in entry.fields} for entry in entries.forms]
    parsed = [
        parser.ParsedEntry(
            reference=str(values.get("reference") or ""),
            recommendation=str(values.get("recommendation") or ""),
            comment=str(values.get("text") or ""),
            answer=str(values.get("answer") or ""),
        )
        for values in posted
    ]
    initial = _entry_initial(_match(parsed, findings), new)
    for row, before in zip(initial, posted, strict=True):
        if before.get("finding") == SKIP:
            row["finding"] = SKIP
    return _preview(
        request,
        membership,
        form=ImportedResponseForm(reports=reports, initial=values),
        entries=_entries(report, findings, initial=initial),
        report_form=ImportReportForm(
            body=membership.body,
            initial={name: report_form[name].value() for name in report_form.fields},
        ),
        report=report,
        findings=findings,
    )


def _to_import(entries: BaseImportedEntryFormSet) -> list[services.EntryToImport]:
    return [
        services.EntryToImport(
            answer=entry.cleaned_data["answer"],
            text=entry.cleaned_data["text"].strip(),
            recommendation=entry.cleaned_data["recommendation"].strip(),
            finding=entry.chosen_finding,
            new_reference=entry.cleaned_data["reference"].strip(),
        )
        for entry in entries.forms
        if entry.cleaned_data.get("finding") != SKIP
    ]


def _done(request: HttpRequest, outcome: Outcome[Any]) -> HttpResponse:
    messages.success(request, outcome.message)
    return redirect(outcome.result_url)


@require_POST
def import_response_confirm(request: HttpRequest) -> HttpResponse:
    """Saves the corrected response: the report if new, the response published with its
    entries and edition 1, and a line in the log; all or nothing."""
    membership = member(request)
    require_editor(membership)
    body = membership.body
    reports = _reports(body)
    chosen = request.POST.get("report", "")
    report = _report(body, chosen)
    findings = _recommendations(report)
    form = ImportedResponseForm(request.POST, reports=reports)
    entries = _entries(report, findings, data=request.POST)
    report_form = ImportReportForm(request.POST, body=body)
    if request.POST.get("action") == "rematch":
        return _rematched(
            request,
            membership,
            form=form,
            entries=entries,
            report_form=report_form,
            reports=reports,
            report=report,
        )
    key = key_from(request.POST)
    if (outcome := repeat(key=key, user=request.user)) is not None:
        return _done(request, outcome)
    checks = [form.is_valid(), entries.is_valid(), chosen != NEW or report_form.is_valid()]
    existing = None
    if all(checks):
        cleaned = form.cleaned_data
        source = str(request.POST.get("source") or _("pasted text"))[:200]

        def create() -> Response:
            with transaction.atomic():
                response = services.response_import(
                    membership=membership,
                    report=report,
                    new_report=report_form.cleaned_data if chosen == NEW else None,
                    entries=_to_import(entries),
                    source=source,
                    published_on=cleaned["published_on"],
                    published_url=cleaned["published_url"],
                    comments=cleaned["comments"],
                    chief_comments=cleaned["chief_comments"],
                    chief_comments_reply=cleaned["chief_comments_reply"],
                    signatory_name=cleaned["signatory_name"],
                    signatory_role=cleaned["signatory_role"],
                    closing_line=cleaned["closing_line"],
                )
                audit.record(
                    AuditKind.IMPORTED,
                    request=request,
                    body=body,
                    detail=_("Published response imported from %(source)s: %(title)s")
                    % {
                        "source": source,
                        "title": response.report.title_with_month,
                    },
                )
                return response

        try:
            outcome = once(
                key=key,
                user=request.user,
                create=create,
                answer=lambda response: (
                    reverse("response_detail", args=[response.pk]),
                    _("Response imported and published (edition 1): %(title)s.")
                    % {"title": response.report.title_with_month},
                ),
            )
        except services.ResponseExists as exists:
            existing = exists.response
            form.add_error(
                "report",
                _(
                    "This report already has a response, so this one cannot be imported into "
                    "it. Open that response, or choose another report."
                ),
            )
        except workflow.TransitionRefused as refusal:
            form.add_error(
                None,
                _("The response cannot be imported as published: %(reason)s") % {"reason": refusal},
            )
        except FindingReferenceTaken as taken:
            form.add_error(
                None,
                _("The report already has a finding %(ref)s. Choose it for that entry.")
                % {"ref": taken.reference},
            )
        else:
            return _done(request, outcome)
    return _preview(
        request,
        membership,
        form=form,
        entries=entries,
        report_form=report_form,
        report=report,
        findings=findings,
        existing=existing,
        status=422,
    )
