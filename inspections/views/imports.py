"""The imports hub: the three ways of bringing records in, for editors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..access import require_editor
from .common import member, render_page


@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    reports = membership.body.reports.order_by("-published_on", "-pk")[:20]
    return render_page(request, "inspections/imports/index.html", {"reports": reports})
