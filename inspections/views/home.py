from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import dashboard, selectors
from ..access import membership_or_none


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    membership = membership_or_none(request)
    if membership is None:
        return render(request, "inspections/no_membership.html", status=403)
    if membership.is_contributor:
        today = timezone.localdate()
        context = {"yours": selectors.your_actions(membership, today), "today": today}
        return render(request, "inspections/actions/yours.html", context)
    figures = dashboard.home(membership, timezone.localdate())
    return render(request, "inspections/home.html", {"home": figures})


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/accessibility.html")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
