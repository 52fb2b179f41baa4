"""The response page: each recommendation beside the body's entry for it, the missing
ones marked, and the body's comments. The workflow (approval, publication) comes later."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import get_for_body, require_editor
from ..editions import differs_from_published
from ..forms.responses import EntryForm, ResponseForm
from ..models import Finding, FindingKind, InspectionReport, PolicingBody, Response
from ..models.responses import RecommendationRow
from ..services import responses as services
from ..services import workflow
from ..services.idempotency import key_from, once, repeat
from .common import conflict_page, member, render_page, saved_message

DETAIL = "inspections/responses/detail.html"
LOCKED_MESSAGE = _lazy(
    "This response is published or settled, so it can no longer be changed here. Your text "
    "is still below if you need it. An approver can correct a published response."
)


def _response(body: PolicingBody, pk: int) -> Response:
    findings = Finding.objects.prefetch_related("addressees").order_by("position", "pk")
    return get_for_body(
        Response.objects.select_related(
            "report", "report__lead_inspectorate", "body", "approved_by"
        ).prefetch_related(Prefetch("report__findings", queryset=findings), "entries"),
        body,
        pk=pk,
    )


@require_POST
def response_start(request: HttpRequest, report_pk: int) -> HttpResponse:
    membership = member(request)
    report = get_for_body(InspectionReport.objects.all(), membership.body, pk=report_pk)
    require_editor(membership)
    key = key_from(request.POST)
    outcome = repeat(key=key, user=request.user) or once(
        key=key,
        user=request.user,
        create=lambda: services.response_start(body=membership.body, report=report),
        answer=lambda response: (reverse("response_detail", args=[response.pk]), ""),
    )
    return redirect(outcome.result_url)


@require_GET
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    response = _response(membership.body, pk)
    rows = response.recommendation_rows()
    editions = list(response.editions.order_by("-number"))
    context = {
        "editions": editions,
        "live_differs": bool(editions) and differs_from_published(response, editions[0].content),
        "transitions": workflow.available(response, membership),
        "response": response,
        "report": response.report,
        "rows": rows,
        "missing": [row for row in rows if row.missing],
        "today": timezone.localdate(),
    }
    return render_page(request, DETAIL, context)


@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    response = get_for_body(Response.objects.select_related("report"), membership.body, pk=pk)
    require_editor(membership)
    form = ResponseForm(request.POST or None, instance=response)
    context = {"form": form, "response": response, "report": response.report}
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.response_update(
                    response=response, may_correct=membership.can_approve, **form.cleaned_data
                )
            except services.EditConflict as conflict:
                return conflict_page(
                    request,
                    conflict=conflict,
                    form=form,
                    make_form=lambda instance, initial: ResponseForm(
                        instance=instance, initial=initial
                    ),
                    heading=_("Someone else changed this response"),
                    back_url=reverse("response_detail", args=[pk]),
                    action_url=reverse("response_edit", args=[pk]),
                )
            except services.ResponseLocked:
                form.add_error(None, LOCKED_MESSAGE)
                return render(request, "inspections/responses/form.html", context, status=409)
            messages.success(request, saved_message(_("Response saved."), saved))
            for warning in form.warnings:
                messages.warning(request, warning)
            return redirect("response_detail", pk=response.pk)
        return render(request, "inspections/responses/form.html", context, status=422)
    return render(request, "inspections/responses/form.html", context)


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    membership = member(request)
    response = _response(membership.body, pk)
    finding = next((f for f in response.report.findings.all() if f.pk == finding_pk), None)
    if finding is None or finding.kind != FindingKind.RECOMMENDATION:
        raise Http404("No such recommendation in this report.")
    require_editor(membership)
    entry = next((e for e in response.entries.all() if e.finding_id == finding.pk), None)

    def entry_form(data: Any = None, **kwargs: Any) -> EntryForm:
        return EntryForm(data, prefix_id=str(finding.pk), status=response.status, **kwargs)

    form = entry_form(request.POST or None, instance=entry)
    row = RecommendationRow(finding, entry)
    context = {"response": response, "report": response.report, "row": row, "form": form}
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = services.entry_save(
                    response=response,
                    finding=finding,
                    may_correct=membership.can_approve,
                    **form.cleaned_data,
                )
            except services.EditConflict as conflict:
                return conflict_page(
                    request,
                    conflict=conflict,
                    form=form,
                    make_form=lambda instance, initial: entry_form(
                        instance=instance, initial=initial
                    ),
                    heading=_("Someone else changed the entry for %(ref)s")
                    % {"ref": finding.reference},
                    back_url=reverse("response_detail", args=[pk]) + f"#row-{finding.pk}",
                    action_url=reverse("entry_edit", args=[pk, finding.pk]),
                )
            except services.ResponseLocked:
                form.add_error(None, LOCKED_MESSAGE)
                status = 409
            else:
                announcement = saved_message(
                    _("Entry for %(ref)s saved.") % {"ref": finding.reference}, saved
                )
                if request.htmx:  # type: ignore[attr-defined]
                    return render(
                        request,
                        f"{DETAIL}#row",
                        context
                        | {"row": RecommendationRow(finding, saved)}
                        | {"announcement": announcement},
                    )
                messages.success(request, announcement)
                return redirect(reverse("response_detail", args=[pk]) + f"#row-{finding.pk}")
        return render_page(
            request, "inspections/responses/entry_form.html", context, partial="form", status=status
        )
    return render_page(request, "inspections/responses/entry_form.html", context, partial="form")
