"""Findings are added, edited, reordered and removed on the report page. With htmx each
action swaps only its part of the page; without JavaScript each has a page of its own."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from ..access import get_for_body, require_editor
from ..forms.reports import FindingForm
from ..models import Finding, InspectionReport
from ..services import reports as services
from .common import member, render_page
from .reports import detail_context

DETAIL = "inspections/reports/detail.html"


def _findings_region(
    request: HttpRequest,
    report_id: int,
    announcement: str,
    anchor: str = "findings",
    fresh_form: bool = False,
    focus: int | str | None = None,
) -> HttpResponse:
    """After a change: the findings region for htmx (announcing the change to screen
    readers, and with an empty add form after an add), the report page otherwise."""
    if request.htmx:  # type: ignore[attr-defined]
        # Keep keyboard users' place: htmx focuses the element marked autofocus.
        context = detail_context(request, report_id) | {
            "announcement": announcement,
            "focus": focus,
        }
        html = render_to_string(f"{DETAIL}#findings", context, request=request)
        if fresh_form:
            context["oob"] = True
            html += render_to_string(f"{DETAIL}#new-finding-form", context, request=request)
        return reswap(retarget(HttpResponse(html), "#findings"), "outerHTML")
    messages.success(request, announcement)
    return redirect(reverse("report_detail", args=[report_id]) + f"#{anchor}")


def _finding(request: HttpRequest, pk: int) -> Finding:
    return get_for_body(
        Finding.objects.select_related("report").prefetch_related("addressees", "actions"),
        member(request).body,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, report_pk: int) -> HttpResponse:
    membership = member(request)
    report = get_for_body(InspectionReport.objects.all(), membership.body, pk=report_pk)
    require_editor(membership)
    form = FindingForm(request.POST or None, report=report)
    if request.method == "POST":
        if form.is_valid():
            finding = services.finding_create(report=report, **form.cleaned_data)
            return _findings_region(
                request,
                report.pk,
                _("%(ref)s added.") % {"ref": finding.reference},
                fresh_form=True,
            )
        if request.htmx:  # type: ignore[attr-defined]
            context = {"new_finding_form": form, "report": report}
            return render(request, f"{DETAIL}#new-finding-form", context, status=422)
        context = {"form": form, "report": report}
        return render(request, "inspections/findings/form.html", context, status=422)
    return render(request, "inspections/findings/form.html", {"form": form, "report": report})


@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, f"{DETAIL}#finding", {"finding": finding, "report": finding.report})
    return redirect(reverse("report_detail", args=[finding.report_id]) + f"#finding-{pk}")


@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    require_editor(member(request))
    form = FindingForm(request.POST or None, instance=finding, report=finding.report)
    context = {"form": form, "finding": finding, "report": finding.report}
    if request.method == "POST":
        if form.is_valid():
            services.finding_update(finding=finding, **form.cleaned_data)
            return _findings_region(
                request,
                finding.report_id,
                _("%(ref)s saved.") % {"ref": finding.reference},
                anchor=f"finding-{pk}",
                focus=finding.pk,
            )
        return render_page(
            request, "inspections/findings/form.html", context, partial="form", status=422
        )
    return render_page(request, "inspections/findings/form.html", context, partial="form")


@require_POST
def finding_move(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    require_editor(member(request))
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if direction is None:
        return HttpResponse(_("Choose up or down."), status=400)
    services.finding_move(finding=finding, direction=direction)
    moved = _("%(ref)s moved up.") if direction < 0 else _("%(ref)s moved down.")
    return _findings_region(
        request, finding.report_id, moved % {"ref": finding.reference}, anchor=f"finding-{pk}"
    )


@require_http_methods(["GET", "POST"])
def finding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    require_editor(member(request))
    if request.method == "POST":
        report_id = finding.report_id
        services.finding_delete(finding=finding)
        return _findings_region(
            request, report_id, _("%(ref)s removed.") % {"ref": finding.reference}, focus="findings"
        )
    context = {
        "finding": finding,
        "report": finding.report,
        "entry_count": finding.entries.count(),
        "action_count": len(finding.actions.all()),
    }
    return render_page(request, "inspections/findings/delete.html", context, partial="confirm")
