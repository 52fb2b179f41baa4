"""Each person's choice of which emails they get, and when."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms.notifications import NotificationPreferencesForm
from ..reminders import digest_time
from ..services import notify
from .common import member, render_page

TEMPLATE = "inspections/account/notifications.html"


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    kinds = notify.kinds_for(membership)
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        initial=notify.preferences_of(membership.user),
    )
    context = {"form": form, "kinds": kinds, "digest_at": digest_time()}
    if request.method == "POST":
        if form.is_valid():
            notify.preferences_set(user=membership.user, deliveries=form.cleaned_data)
            messages.success(request, _("Your email choices are saved."))
            return redirect("notification_preferences")
        return render_page(request, TEMPLATE, context, status=422)
    return render_page(request, TEMPLATE, context)
