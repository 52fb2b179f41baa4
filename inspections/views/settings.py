"""The body's own settings: its RAG tolerances, which its approvers set, and its
letterhead (logo and office address), which its administrators set."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..forms.settings import LetterheadForm, RagTolerancesForm
from ..letterhead import SVG, letterhead_version, read_logo
from ..models import Membership, PolicingBody
from ..services import bodies as services
from ..services.responses import EditConflict
from .common import member, render_page

TEMPLATE = "inspections/settings/body.html"
HISTORY = 10


def _changes(body: PolicingBody) -> list[Any]:
    """The newest changes to the settings, each with what it changed (`change`)."""
    rows = list(
        body.history.select_related("history_user").order_by("-history_date")[: HISTORY + 1]
    )
    for row, before in zip(rows, [*rows[1:], None], strict=True):
        row.change = _describe(row, before)
    return rows[:HISTORY]


def _describe(row: Any, before: Any) -> str:
    if before is None:
        return _("Set up")
    said = []
    if (row.rag_green_points, row.rag_amber_points) != (
        before.rag_green_points,
        before.rag_amber_points,
    ):
        said.append(_("RAG tolerances"))
    if row.logo != before.logo:
        said.append(
            _("Logo removed")
            if not row.logo
            else _("Logo added")
            if not before.logo
            else _("Logo replaced")
        )
    if row.office_address != before.office_address:
        said.append(_("Office address"))
    return ", ".join(str(s) for s in said) or _("Other settings")


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    form: RagTolerancesForm | None = None,
    letterhead_form: LetterheadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    body = PolicingBody.objects.get(pk=membership.body_id)
    if form is None and membership.can_approve:
        form = RagTolerancesForm(instance=body)
    if letterhead_form is None and membership.can_administer:
        letterhead_form = LetterheadForm(
            initial={
                "office_address": body.office_address,
                "letterhead_version": letterhead_version(body),
            },
            has_logo=bool(body.logo),
        )
    context = {
        "body": body,
        "form": form,
        "letterhead_form": letterhead_form,
        "history": _changes(body),
        "logo_version": letterhead_version(body),
        "membership": membership,
    }
    return render_page(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
def body_settings(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    body = PolicingBody.objects.get(pk=membership.body_id)
    if request.method == "GET":
        return _page(request, membership)
    if not membership.can_approve:
        raise PermissionDenied("Only an approver can change the body's settings.")
    form = RagTolerancesForm(request.POST, instance=body)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.body_set_rag_tolerances(
                body=body,
                green=data["rag_green_points"],
                amber=data["rag_amber_points"],
                seen_green=data["seen_green"],
                seen_amber=data["seen_amber"],
            )
        except EditConflict:
            # Keep the user's values in a form based on what is saved now, so saving
            # again is a deliberate choice to replace the colleague's.
            fresh = PolicingBody.objects.get(pk=body.pk)
            saved = {"green": fresh.rag_green_points, "amber": fresh.rag_amber_points}
            posted = request.POST.copy()
            posted["seen_green"], posted["seen_amber"] = (
                str(saved["green"]),
                str(saved["amber"]),
            )
            retry = RagTolerancesForm(posted, instance=fresh)
            retry.is_valid()  # normalises the user's values; the message says what is saved
            retry.add_error(
                None,
                _(
                    "Someone changed the tolerances to %(green)s and %(amber)s points "
                    "after you opened this page, so yours were not saved. Your values "
                    "are still below; save again to replace theirs."
                )
                % saved,
            )
            return _page(request, membership, form=retry, status=409)
        messages.success(request, _("RAG tolerances saved."))
        return redirect("body_settings")
    return _page(request, membership, form=form, status=422)


@require_http_methods(["GET", "POST"])
def body_letterhead(request: HttpRequest) -> HttpResponse:
    """The letterhead form's own address: an administrator's change, checked and saved,
    or the settings page again with what was wrong (422) or a colleague's change (409)."""
    membership = member(request)
    if request.method == "GET":
        return redirect("body_settings")
    if not membership.can_administer:
        raise PermissionDenied("Only the body's administrators set its letterhead.")
    body = PolicingBody.objects.get(pk=membership.body_id)
    form = LetterheadForm(request.POST, request.FILES, has_logo=bool(body.logo))
    if not form.is_valid():
        return _page(request, membership, letterhead_form=form, status=422)
    data = form.cleaned_data
    try:
        services.body_set_letterhead(
            body=body,
            user=request.user,
            version=data["letterhead_version"],
            office_address=data["office_address"],
            logo=data["logo"],
            remove_logo=bool(data.get("remove_logo")),
        )
    except EditConflict:
        fresh = PolicingBody.objects.get(pk=body.pk)
        posted = request.POST.copy()
        posted["letterhead_version"] = letterhead_version(fresh)
        retry = LetterheadForm(posted, has_logo=bool(fresh.logo))
        retry.is_valid()
        retry.add_error(
            None,
            _(
                "Someone changed the letterhead after you opened this page, so your changes "
                "were not saved. The letterhead now saved is shown above; your address is "
                "still below. Choose your logo again and save to replace theirs."
            ),
        )
        return _page(request, membership, letterhead_form=retry, status=409)
    messages.success(request, _("Letterhead saved."))
    return redirect("body_settings")


@require_GET
def body_logo(request: HttpRequest) -> HttpResponse:
    """The member's own body's logo, for its settings page: never another body's, and
    never from a public address. An SVG is served under a policy that runs nothing."""
    membership = member(request)
    body = PolicingBody.objects.get(pk=membership.body_id)
    content = read_logo(body)
    if not content:
        raise Http404("The body has no logo.")
    response = HttpResponse(content, content_type=body.logo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    extension = "svg" if body.logo_content_type == SVG else "png"
    response["Content-Disposition"] = f'inline; filename="logo.{extension}"'
    return response
