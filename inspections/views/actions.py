"""Assurance actions: the list, the action page with its findings, progress timeline and
evidence, and the forms that change them. With htmx each change swaps only its region of
the action page; without JavaScript each form posts and comes back to the page.

Every action and evidence lookup goes through `access.get_visible` / `access.actions_for`,
so a force contributor reaches only the actions they own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from .. import selectors
from ..access import (
    get_for_body,
    get_visible,
    may_record_progress,
    require_editor,
    require_progress_writer,
)
from ..forms.actions import (
    TARGET_REASON_NEEDED,
    ActionFilterForm,
    ActionForm,
    EvidenceForm,
    PickerForm,
    progress_form_for,
)
from ..models import AssuranceAction, Evidence, Finding, Membership
from ..services import actions as services
from ..services import audit
from ..services.idempotency import Outcome, key_from, once, repeat
from .common import (
    conflict_page,
    create_once,
    member,
    paginate,
    private_file_response,
    query_without_page,
    render_page,
    saved_message,
)

LIST = "inspections/actions/list.html"
DETAIL = "inspections/actions/detail.html"
FORM = "inspections/actions/form.html"
PICKER = "inspections/actions/picker.html"


def _action(membership: Membership, pk: int) -> AssuranceAction:
    return get_visible(AssuranceAction.objects.all(), membership, pk=pk)


def _picker_form(action_pk: int, data: Any = None) -> PickerForm:
    return PickerForm(data, results_url=reverse("finding_picker", args=[action_pk]))


def _to_detail(request: HttpRequest, action: AssuranceAction, anchor: str = "") -> HttpResponse:
    url = reverse("action_detail", args=[action.pk]) + (f"#{anchor}" if anchor else "")
    return _to_url(request, url)


def _to_url(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def detail_context(membership: Membership, pk: int, **overrides: Any) -> dict[str, Any]:
    """Everything the action page and its regions need; `overrides` carries bound forms."""
    action = selectors.action_detail(membership, pk)
    editor, writer = membership.can_edit, may_record_progress(membership)
    context: dict[str, Any] = {
        "action": action,
        "findings": list(action.findings.all()),
        "updates": list(action.updates.all()),
        "evidence_files": list(action.evidence.all()),
        "target_changes": list(action.target_changes.all()),
        "today": timezone.localdate(),
        "progress_form": progress_form_for(membership, action=action) if writer else None,
        "evidence_form": EvidenceForm() if writer else None,
        "picker_form": _picker_form(pk) if editor else None,
        "picker_limit": selectors.PICKER_LIMIT,
    }
    return context | overrides


def _regions(request: HttpRequest, context: dict[str, Any], main: str, *extra: str) -> HttpResponse:
    """One region of the action page, swapped in place, plus others out of band."""
    html = render_to_string(f"{DETAIL}#{main}", context, request=request)
    for name in extra:
        html += render_to_string(name, context | {"oob": True}, request=request)
    return reswap(retarget(HttpResponse(html), f"#{main}"), "outerHTML")


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    today = timezone.localdate()
    filters = ActionFilterForm(request.GET, membership=membership)
    filters.is_valid()  # an invalid filter is shown with its error; the valid ones still apply
    actions = selectors.action_list(membership, filters.cleaned_data, today=today)
    context = {
        "filters": filters,
        "page": paginate(request, actions),
        "query": query_without_page(request),
        "today": today,
    }
    return render_page(request, LIST, context, partial="results")


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    form = ActionForm(
        request.POST or None,
        body=membership.body,
        initial={"start_on": timezone.localdate()},
    )
    if request.method == "POST":
        outcome = create_once(
            request,
            form,
            create=lambda: services.action_create(body=membership.body, **form.cleaned_data),
            answer=lambda action: (reverse("action_detail", args=[action.pk]), _("Action added.")),
        )
        if outcome is not None:
            messages.success(request, outcome.message)
            return _to_url(request, outcome.result_url)
        return render_page(request, FORM, {"form": form}, partial="form", status=422)
    return render_page(request, FORM, {"form": form}, partial="form")


@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    return render_page(request, DETAIL, detail_context(membership, pk), partial="facts")


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    action = _action(membership, pk)
    require_editor(membership)
    form = ActionForm(request.POST or None, instance=action, body=membership.body)
    context = {"form": form, "action": action}
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.action_update(action=action, by=request.user, **form.cleaned_data)
            except services.TargetReasonNeeded:
                # Seen only after merging with a colleague's save (the form asks first
                # when the user's version is the saved one).
                form.add_error("target_reason", TARGET_REASON_NEEDED)
                return render_page(request, FORM, context, partial="form", status=422)
            except services.EditConflict as conflict:
                body = membership.body
                return conflict_page(
                    request,
                    conflict=conflict,
                    form=form,
                    make_form=lambda instance, initial: ActionForm(
                        instance=instance, initial=initial, body=body
                    ),
                    heading=_("Someone else changed this action"),
                    back_url=reverse("action_detail", args=[pk]),
                    action_url=reverse("action_edit", args=[pk]),
                )
            messages.success(request, saved_message(_("Action saved."), saved))
            return _to_detail(request, saved)
        return render_page(request, FORM, context, partial="form", status=422)
    return render_page(request, FORM, context, partial="form")


def _added(
    request: HttpRequest,
    membership: Membership,
    action: AssuranceAction,
    outcome: Outcome[Any],
    region: str,
    *extra: str,
) -> HttpResponse:
    """After an update or a file was added (or sent again: `outcome` is the first one's
    answer), its region for htmx, the action page otherwise."""
    if request.htmx:  # type: ignore[attr-defined]
        context = detail_context(membership, action.pk, announcement=outcome.message)
        return _regions(request, context, region, *extra)
    messages.success(request, outcome.message)
    return _to_url(request, outcome.result_url)


@require_POST
def update_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    action = _action(membership, pk)
    require_progress_writer(membership)
    key = key_from(request.POST)
    if repeated := repeat(key=key, user=request.user):
        return _added(request, membership, action, repeated, "timeline", f"{DETAIL}#facts")
    form = progress_form_for(membership, request.POST, action=action)
    if not form.is_valid():
        context = detail_context(membership, pk, progress_form=form)
        return render_page(request, DETAIL, context, partial="timeline", status=422)
    outcome = once(
        key=key,
        user=request.user,
        create=lambda: services.action_record_progress(
            action=action, author=request.user, **form.cleaned_data
        ),
        answer=lambda update: (
            reverse("action_detail", args=[pk]) + "#timeline",
            _("Progress update added."),
        ),
    )
    return _added(request, membership, action, outcome, "timeline", f"{DETAIL}#facts")


@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    action = _action(membership, pk)
    require_progress_writer(membership)
    key = key_from(request.POST)
    if repeated := repeat(key=key, user=request.user):
        return _added(request, membership, action, repeated, "evidence")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        context = detail_context(membership, pk, evidence_form=form)
        return render_page(request, DETAIL, context, partial="evidence", status=422)
    outcome = once(
        key=key,
        user=request.user,
        create=lambda: services.evidence_add(
            action=action, uploaded_by=request.user, **form.cleaned_data
        ),
        answer=lambda evidence: (
            reverse("action_detail", args=[pk]) + "#evidence",
            _("%(name)s uploaded.") % {"name": evidence.original_name},
        ),
    )
    return _added(request, membership, action, outcome, "evidence")


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    membership = member(request)
    evidence = get_visible(Evidence.objects.all(), membership, pk=pk)
    audit.exported(request, evidence)
    # The content type was set from our allow-list at upload, never from the browser.
    return private_file_response(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@require_GET
def finding_picker(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    action = _action(membership, pk)
    require_editor(membership)
    picker = _picker_form(pk, request.GET)
    q = picker.cleaned_data.get("q", "") if picker.is_valid() else ""
    context = {
        "action": action,
        "picker_form": picker,
        "q": q,
        "results": selectors.finding_picker(membership.body, action, q),
        "picker_limit": selectors.PICKER_LIMIT,
    }
    return render_page(request, PICKER, context, partial="results")


def _findings_changed(
    request: HttpRequest, membership: Membership, action: AssuranceAction, announcement: str
) -> HttpResponse:
    """After a link or unlink: the linked findings region and fresh picker results for
    htmx, the action page otherwise."""
    if request.htmx:  # type: ignore[attr-defined]
        q = str(request.POST.get("q", ""))[:200]
        context = detail_context(membership, action.pk, announcement=announcement)
        context |= {"q": q, "results": selectors.finding_picker(membership.body, action, q)}
        return _regions(request, context, "linked-findings", f"{PICKER}#results")
    messages.success(request, announcement)
    return _to_detail(request, action, "linked-findings")


@require_POST
def finding_link(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    action = _action(membership, pk)
    require_editor(membership)
    try:
        finding_pk = int(request.POST["finding"])
    except (KeyError, ValueError):
        return HttpResponse(_("Choose a finding to link."), status=400)
    finding = get_for_body(Finding.objects.all(), membership.body, pk=finding_pk)
    key = key_from(request.POST)
    outcome = repeat(key=key, user=request.user) or once(
        key=key,
        user=request.user,
        create=lambda: services.finding_link(action=action, finding=finding),
        answer=lambda _linked: (
            reverse("action_detail", args=[pk]) + "#linked-findings",
            _("%(ref)s linked.") % {"ref": finding.reference},
        ),
    )
    return _findings_changed(request, membership, action, outcome.message)


@require_POST
def finding_unlink(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    membership = member(request)
    action = _action(membership, pk)
    require_editor(membership)
    finding = get_for_body(Finding.objects.all(), membership.body, pk=finding_pk)
    services.finding_unlink(action=action, finding=finding)
    return _findings_changed(
        request, membership, action, _("%(ref)s unlinked.") % {"ref": finding.reference}
    )
