"""One page per workflow step: GET shows what the step records, POST makes it. Who may
do what, and when, is decided in services.workflow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import get_for_body
from ..forms.workflow import FORMS
from ..models import Response
from ..services import workflow
from ..services.responses import EditConflict
from .common import member

TEMPLATE = "inspections/responses/transition.html"


@require_http_methods(["GET", "POST"])
def response_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    membership = member(request)
    response = get_for_body(
        Response.objects.select_related("report", "body").prefetch_related(
            "entries", "report__findings__addressees"
        ),
        membership.body,
        pk=pk,
    )
    transition = workflow.TRANSITIONS.get(name)
    if transition is None:
        raise Http404("No such step.")
    if not workflow.may(transition, membership):
        raise PermissionDenied(_("Your role cannot do this."))
    form = FORMS[name](request.POST or None, response=response)
    context = {
        "response": response,
        "report": response.report,
        "transition": transition,
        "form": form,
        "missing": response.missing_findings(),
        "today": timezone.localdate(),
    }
    if request.method == "GET":
        try:
            workflow.check(response, transition, membership)
        except workflow.TransitionRefused as refusal:
            context["refusal"] = str(refusal)
        return render(request, TEMPLATE, context)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=422)
    try:
        moved = workflow.response_transition(
            response=response,
            transition=transition,
            membership=membership,
            version=form.cleaned_data["version"],
            data=form.changes(),
        )
    except workflow.TransitionRefused as refusal:
        context["refusal"] = str(refusal)
        return render(request, TEMPLATE, context, status=409)
    except EditConflict:
        context["refusal"] = _(
            "Someone else changed this response after you opened this page, so nothing was "
            "done. Check the response again before you repeat this step."
        )
        return render(request, TEMPLATE, context, status=409)
    messages.success(
        request,
        _("Done: %(step)s. The response is now “%(status)s”.")
        % {"step": transition.label, "status": moved.get_status_display()},
    )
    for warning in form.warnings:
        messages.warning(request, warning)
    return redirect("response_detail", pk=pk)
