"""Signing in with Microsoft: the work address picks the body whose Microsoft Entra ID
sign-in starts; allauth's OpenID Connect provider does the rest (see `inspections.entra`
for the way back)."""

from __future__ import annotations

from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from requests import RequestException

from ..forms.entra import EntraSignInForm

TEMPLATE = "socialaccount/entra_sign_in.html"
REDIRECT_TEMPLATE = "socialaccount/entra_redirect.html"


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def entra_sign_in(request: HttpRequest) -> HttpResponse:
    """GET shows the form (an invitation's link may fill it in); POST starts the body's
    sign-in at Microsoft, asking for that address (`login_hint`), and sends the browser
    there."""
    if request.method == "GET":
        form = EntraSignInForm(
            initial={
                "email": request.GET.get("email", ""),
                "invitation": request.GET.get("invitation", ""),
            }
        )
        return render(request, TEMPLATE, {"form": form, "next": get_next_redirect_url(request)})
    form = EntraSignInForm(request.POST)
    context = {"form": form, "next": get_next_redirect_url(request)}
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=422)
    entra = form.cleaned_data["entra"]
    token = form.cleaned_data["invitation"]
    provider = get_adapter(request).get_provider(request, entra.provider_id)
    try:
        # What allauth's provider login view does on POST, with our parameters.
        response: HttpResponse = provider.redirect(
            request,
            process=AuthProcess.LOGIN,
            next_url=context["next"],
            data={"invitation": token} if token else None,
            auth_params={"login_hint": form.cleaned_data["email"]},
        )
    except RequestException:  # Microsoft's discovery document could not be fetched
        form.add_error(
            None,
            _(
                "Microsoft sign-in is not available just now. Try again in a few minutes, or "
                "sign in with your username and password."
            ),
        )
        return render(request, TEMPLATE, context, status=503)
    if not isinstance(response, HttpResponseRedirect):
        return response  # allauth's page for an error it met on the way
    # The browser goes on from a page of ours rather than by a redirect of the form's POST:
    # the Content Security Policy's form-action 'self' would stop a redirect to Microsoft.
    return render(request, REDIRECT_TEMPLATE, {"url": response["Location"]})
