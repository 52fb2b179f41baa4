"""Findings are added, edited, reordered and removed on the report page. With htmx each
action swaps only its part of the page; without JavaScript each has a page of its own.

A change under a response sent for approval, or approved, asks why and takes the
response back to draft (`services.responses.responses_reopen_for_findings`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from ..access import get_for_body, require_editor
from ..forms.editing import FindingRemovalForm
from ..forms.reports import FindingForm
from ..models import Finding, InspectionReport
from ..services import reports as services
from ..services.idempotency import Outcome, key_from, once, repeat
from ..services.responses import ChangeReasonNeeded, finding_changes_need_reason
from .common import conflict_page, member, render_page, saved_message
from .reports import detail_context

DETAIL = "inspections/reports/detail.html"
REASON_MESSAGE = gettext_lazy(
    "The response to this report was sent for approval or approved after you opened this "
    "form. Say why you are making this change: it returns the response to draft."
)


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


def _reason_needed(report: InspectionReport) -> bool:
    return finding_changes_need_reason(report.responses.values_list("status", flat=True))


def _ask_why[F: forms.BaseForm](make: Callable[[], F]) -> F:
    """The form again, now with the reason field (the response moved on meanwhile)."""
    again = make()
    again.is_valid()
    again.add_error("change_reason" if "change_reason" in again.fields else None, REASON_MESSAGE)
    return again


def _added(request: HttpRequest, report: InspectionReport, outcome: Outcome[Any]) -> HttpResponse:
    """After an add, or the same add sent again: the first one's answer."""
    if request.htmx:  # type: ignore[attr-defined]
        return _findings_region(request, report.pk, outcome.message, fresh_form=True)
    messages.success(request, outcome.message)
    return redirect(outcome.result_url)


@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, report_pk: int) -> HttpResponse:
    membership = member(request)
    report = get_for_body(InspectionReport.objects.all(), membership.body, pk=report_pk)
    require_editor(membership)
    reason_needed = _reason_needed(report)
    form = FindingForm(request.POST or None, report=report, reason_needed=reason_needed)
    status = 422
    if request.method == "POST":
        key = key_from(request.POST)
        if repeated := repeat(key=key, user=request.user):
            return _added(request, report, repeated)
        if form.is_valid():
            try:
                outcome = once(
                    key=key,
                    user=request.user,
                    create=lambda: services.finding_create(report=report, **form.cleaned_data),
                    answer=lambda finding: (
                        reverse("report_detail", args=[report.pk]) + "#findings",
                        _("%(ref)s added.") % {"ref": finding.reference},
                    ),
                )
            except services.FindingReferenceTaken as taken:
                # Another add with this reference got there at the same moment.
                form.add_error(
                    "reference",
                    _("This report already has %(ref)s.") % {"ref": taken.reference},
                )
                status = 409
            except ChangeReasonNeeded:
                form = _ask_why(
                    lambda: FindingForm(request.POST, report=report, reason_needed=True)
                )
            else:
                return _added(request, report, outcome)
        if request.htmx:  # type: ignore[attr-defined]
            context = {"new_finding_form": form, "report": report}
            return render(request, f"{DETAIL}#new-finding-form", context, status=status)
        context = {"form": form, "report": report}
        return render(request, "inspections/findings/form.html", context, status=status)
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
    report = finding.report
    require_editor(member(request))
    reason_needed = _reason_needed(report)
    form = FindingForm(
        request.POST or None, instance=finding, report=report, reason_needed=reason_needed
    )
    status = 422
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.finding_update(finding=finding, **form.cleaned_data)
            except services.EditConflict as conflict:
                return conflict_page(
                    request,
                    conflict=conflict,
                    form=form,
                    make_form=lambda instance, initial: FindingForm(
                        instance=instance,
                        initial=initial,
                        report=report,
                        reason_needed=reason_needed,
                    ),
                    heading=_("Someone else changed %(ref)s") % {"ref": finding.reference},
                    back_url=reverse("report_detail", args=[report.pk]) + f"#finding-{pk}",
                    action_url=reverse("finding_edit", args=[pk]),
                )
            except services.FindingReferenceTaken as taken:
                form.add_error(
                    "reference",
                    _("This report already has %(ref)s.") % {"ref": taken.reference},
                )
                status = 409
            except ChangeReasonNeeded:
                form = _ask_why(
                    lambda: FindingForm(
                        request.POST,
                        instance=_finding(request, pk),
                        report=report,
                        reason_needed=True,
                    )
                )
            else:
                return _findings_region(
                    request,
                    report.pk,
                    saved_message(_("%(ref)s saved.") % {"ref": saved.reference}, saved),
                    anchor=f"finding-{pk}",
                    focus=saved.pk,
                )
        context = {"form": form, "finding": finding, "report": report}
        return render_page(
            request, "inspections/findings/form.html", context, partial="form", status=status
        )
    context = {"form": form, "finding": finding, "report": report}
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
    reason_needed = _reason_needed(finding.report)
    bound = request.POST if request.method == "POST" else None  # an empty POST confirms
    form = FindingRemovalForm(bound, reason_needed=reason_needed)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            report_id = finding.report_id
            try:
                services.finding_delete(
                    finding=finding, change_reason=form.cleaned_data.get("change_reason", "")
                )
            except ChangeReasonNeeded:
                form = _ask_why(lambda: FindingRemovalForm(request.POST, reason_needed=True))
            else:
                return _findings_region(
                    request,
                    report_id,
                    _("%(ref)s removed.") % {"ref": finding.reference},
                    focus="findings",
                )
    context = {
        "finding": finding,
        "report": finding.report,
        "form": form,
        "entry_count": finding.entries.count(),
        "action_count": len(finding.actions.all()),
    }
    page = render_page(
        request, "inspections/findings/delete.html", context, partial="confirm", status=status
    )
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        # Not removed: the confirmation stays where it was, not over the whole list.
        return reswap(retarget(page, f"#finding-{pk}"), "outerHTML")
    return page
