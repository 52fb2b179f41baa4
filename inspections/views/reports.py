from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors
from ..access import get_for_body, require_editor
from ..forms.reports import FindingForm, ReportFilterForm, ReportForm
from ..models import FindingKind, InspectionReport
from ..services import reports as services
from ..services.responses import finding_changes_need_reason
from .common import (
    conflict_page,
    create_once,
    member,
    paginate,
    query_without_page,
    render_page,
    saved_message,
)


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    filters = ReportFilterForm(request.GET)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = paginate(request, selectors.report_list(membership.body, cleaned))
    context = {
        "filters": filters,
        "page": page,
        "query": query_without_page(request),
        "today": timezone.localdate(),
    }
    return render_page(request, "inspections/reports/list.html", context, partial="results")


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        outcome = create_once(
            request,
            form,
            create=lambda: services.report_create(body=membership.body, **form.cleaned_data),
            answer=lambda report: (
                reverse("report_detail", args=[report.pk]),
                _("Report added. Now add its findings."),
            ),
        )
        if outcome is not None:
            messages.success(request, outcome.message)
            return redirect(outcome.result_url)
        return render_page(request, "inspections/reports/form.html", {"form": form}, status=422)
    return render_page(request, "inspections/reports/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    report = get_for_body(InspectionReport.objects.all(), membership.body, pk=pk)
    require_editor(membership)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.report_update(report=report, **form.cleaned_data)
            except services.EditConflict as conflict:
                return conflict_page(
                    request,
                    conflict=conflict,
                    form=form,
                    make_form=lambda instance, initial: ReportForm(
                        instance=instance, initial=initial
                    ),
                    heading=_("Someone else changed this report"),
                    back_url=reverse("report_detail", args=[pk]),
                    action_url=reverse("report_edit", args=[pk]),
                )
            messages.success(request, saved_message(_("Report saved."), saved))
            return redirect("report_detail", pk=report.pk)
        return render_page(
            request,
            "inspections/reports/form.html",
            {"form": form, "report": report},
            status=422,
        )
    return render_page(request, "inspections/reports/form.html", {"form": form, "report": report})


def detail_context(request: HttpRequest, pk: int) -> dict[str, object]:
    """Everything the report page and its findings partial need."""
    membership = member(request)
    report = selectors.report_detail(membership.body, pk)
    findings = list(report.findings.all())
    groups = [(kind, [f for f in findings if f.kind == kind]) for kind in FindingKind]
    responses = list(report.responses.all())
    reason_needed = finding_changes_need_reason(r.status for r in responses)
    return {
        "report": report,
        "groups": [(kind, items) for kind, items in groups if items],
        "findings": findings,
        "response": responses[0] if responses else None,
        "new_finding_form": (
            FindingForm(report=report, reason_needed=reason_needed) if membership.can_edit else None
        ),
        "today": timezone.localdate(),
    }


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(request, "inspections/reports/detail.html", detail_context(request, pk))
