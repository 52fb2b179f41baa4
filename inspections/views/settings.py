"""The body's own settings: its RAG tolerances, which its approvers set."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms.settings import RagTolerancesForm
from ..models import PolicingBody
from ..services import bodies as services
from ..services.responses import EditConflict
from .common import member, render_page

TEMPLATE = "inspections/settings/body.html"


@require_http_methods(["GET", "POST"])
def body_settings(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    body = PolicingBody.objects.get(pk=membership.body_id)
    if request.method == "POST" and not membership.can_approve:
        raise PermissionDenied("Only an approver can change the body's settings.")
    form = (
        RagTolerancesForm(request.POST or None, instance=body) if membership.can_approve else None
    )
    history = body.history.select_related("history_user").order_by("-history_date")[:10]
    context = {"body": body, "form": form, "history": history}
    if request.method == "POST" and form is not None:
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
                context |= {"form": retry, "body": PolicingBody.objects.get(pk=body.pk)}
                return render_page(request, TEMPLATE, context, status=409)
            messages.success(request, _("RAG tolerances saved."))
            return redirect("body_settings")
        return render_page(request, TEMPLATE, context, status=422)
    return render_page(request, TEMPLATE, context)
