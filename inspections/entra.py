"""Microsoft Entra ID sign-in, one app registration per body, through allauth's OpenID
Connect provider.

The apps come from the bodies' `EntraSignIn` rows (never from settings or `SocialApp`
rows): each enabled row is an unsaved `SocialApp` whose `provider_id` is
"entra-<body slug>", so its callback is /account/oidc/entra-<body slug>/login/callback/.

On the way back every sign-in is checked against that one body: the ID token's tenant
(`tid`) must be the body's, and the address (`email`, else `preferred_username` or `upn`)
must be in a domain the body owns. Then the person is one of the body's active members
(signed in, their Microsoft account connected to them), or invited to the body (a new
account joins it with the invited role), or refused with a page saying why. Nobody is
ever connected by address to an account of another body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import AuditKind, EntraSignIn, Invitation, Membership
from .services import audit
from .services.people import (
    PeopleError,
    invitation_from_token,
    join,
    normalise_email,
    usable_invitation_for,
)

PROVIDER = "openid_connect"
PROVIDER_PREFIX = "entra-"
SCOPES = ["openid", "email", "profile"]
# Where allauth keeps, for the rest of this request, the invitation a new account uses.
JOIN_KEY = "entra_invitation"
REFUSED_TEMPLATE = "socialaccount/refused.html"
APP_KEY = "entra_sign_in"  # in the app's settings: the EntraSignIn row it was built from


def server_url(entra: EntraSignIn) -> str:
    """The OpenID Connect issuer of the body's tenant (allauth adds the well-known path)."""
    return str(settings.ENTRA_AUTHORITY).format(tenant=entra.tenant_id)


def social_app(entra: EntraSignIn) -> SocialApp:
    """The body's app registration as allauth wants it: unsaved, never stored."""
    return SocialApp(
        provider=PROVIDER,
        provider_id=entra.provider_id,
        name=_("Microsoft"),
        client_id=entra.client_id,
        secret=entra.client_secret,
        settings={
            "server_url": server_url(entra),
            "scope": SCOPES,
            # Everything we check is in the ID token, which comes straight from the
            # token endpoint; Microsoft's userinfo has no `tid`.
            "fetch_userinfo": False,
            "oauth_pkce_enabled": True,
            # Addresses are only accepted in the body's own domains of the body's tenant.
            "verified_email": True,
            APP_KEY: entra.pk,
            "body": entra.body.name,
        },
    )


def entra_apps(*, provider: str | None = None, client_id: str | None = None) -> list[SocialApp]:
    rows = EntraSignIn.objects.filter(enabled=True).select_related("body").order_by("body__name")
    if provider and provider.startswith(PROVIDER_PREFIX):
        rows = rows.filter(body__slug=provider.removeprefix(PROVIDER_PREFIX))
    elif provider and provider != PROVIDER:
        return []
    if client_id:
        rows = rows.filter(client_id=client_id)
    return [social_app(entra) for entra in rows]


def id_token_claims(sociallogin: Any) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    claims = data.get("id_token") or data.get("userinfo") or data
    return claims if isinstance(claims, dict) else {}


def address_in(claims: dict[str, Any]) -> str:
    """The person's address: `email` where the tenant sends it, else the sign-in name
    (a user principal name is an address in one of the tenant's domains)."""
    for claim in ("email", "preferred_username", "upn"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            return normalise_email(value)
    return ""


# What to do with a sign-in ---------------------------------------------------------------


@dataclass(frozen=True)
class Refuse:
    reason: str


@dataclass(frozen=True)
class SignIn:
    user: Any


@dataclass(frozen=True)
class Join:
    invitation: Invitation
    user: Any = None  # an existing account that belongs to no body, else a new one


Outcome = Refuse | SignIn | Join


def _member_outcome(user: Any, entra: EntraSignIn) -> Outcome:
    membership = Membership.objects.filter(user_id=user.pk).first()
    if membership is None or membership.body_id != entra.body_id:
        return Refuse(
            _(
                "Your account belongs to another body, so you cannot sign in to %(body)s "
                "with Microsoft. Ask your administrator."
            )
            % {"body": entra.body.name}
        )
    if not user.is_active:
        return Refuse(
            _("Your account in %(body)s has been deactivated. Ask your administrator.")
            % {"body": entra.body.name}
        )
    return SignIn(user)


def _invitation(entra: EntraSignIn, email: str, token: str) -> tuple[Invitation | None, str]:
    """The usable invitation of this address to the body: the one whose link the person
    followed, else the newest. Also says which address a followed link was for."""
    invited_as = ""
    if token:
        linked = invitation_from_token(token)
        if linked is not None and linked.body_id == entra.body_id:
            if normalise_email(linked.email) == email:
                return linked, ""
            invited_as = linked.email
    return usable_invitation_for(body=entra.body, email=email), invited_as


def assess(
    *, entra: EntraSignIn, claims: dict[str, Any], sociallogin: Any, request: Any
) -> Outcome:
    """Who this is for the body, or why they are refused."""
    body = entra.body.name
    if str(claims.get("tid", "")).lower() != entra.tenant_id.strip().lower():
        return Refuse(
            _(
                "Your Microsoft account belongs to an organisation (tenant) that is not set "
                "up to sign in to %(body)s."
            )
            % {"body": body}
        )
    email = address_in(claims)
    if not email:
        return Refuse(_("Microsoft did not tell us your email address."))
    if not entra.owns(email):
        return Refuse(
            _("%(email)s is not in an email domain that %(body)s has set up for Microsoft sign-in.")
            % {"email": email, "body": body}
        )
    if sociallogin.state.get("process") == AuthProcess.CONNECT:
        return _member_outcome(request.user, entra)
    if sociallogin.is_existing:  # this Microsoft account was connected before
        return _member_outcome(sociallogin.user, entra)

    users = list(
        get_user_model()
        .objects.filter(
            Q(email__iexact=email)
            | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
        )
        .distinct()
        .order_by("-is_active", "pk")
    )
    bodies = dict(Membership.objects.filter(user__in=users).values_list("user_id", "body_id"))
    members = [user for user in users if user.pk in bodies]
    # One of the body's own first; else whoever has the address elsewhere is refused.
    members.sort(key=lambda user: bodies[user.pk] != entra.body_id)
    if members:
        return _member_outcome(members[0], entra)

    data = sociallogin.state.get("data") or {}
    token = data.get("invitation", "") if isinstance(data, dict) else ""
    invitation, invited_as = _invitation(entra, email, str(token or ""))
    if invitation is not None:
        return Join(invitation, user=users[0] if users else None)
    if invited_as:
        return Refuse(
            _(
                "Your invitation is for %(invited)s, but you signed in with Microsoft as "
                "%(email)s. Sign in with the account you were invited as, or ask your "
                "administrator."
            )
            % {"invited": invited_as, "email": email}
        )
    return Refuse(
        _(
            "There is no invitation for %(email)s to join %(body)s. Ask your administrator "
            "to invite you."
        )
        % {"email": email, "body": body}
    )


# The adapter -----------------------------------------------------------------------------


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """allauth's hooks, as allauth intends them: the apps, the check on the way back, and
    the new account that joins the body it was invited to."""

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        return entra_apps(provider=provider, client_id=client_id)

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        entra = entra_of(sociallogin)
        claims = id_token_claims(sociallogin)
        outcome = assess(entra=entra, claims=claims, sociallogin=sociallogin, request=request)
        email = address_in(claims)
        if isinstance(outcome, Refuse):
            raise ImmediateHttpResponse(self.refuse(request, entra, email, outcome.reason))
        if isinstance(outcome, SignIn):
            if (
                sociallogin.state.get("process") != AuthProcess.CONNECT
                and not sociallogin.is_existing
            ):
                sociallogin.connect(request, outcome.user)
            return
        if outcome.user is not None:
            # An account of this address that belongs to no body: it joins as invited.
            try:
                with transaction.atomic():
                    join(invitation=outcome.invitation, user=outcome.user, request=request)
                    sociallogin.connect(request, outcome.user)
            except PeopleError as error:
                raise ImmediateHttpResponse(
                    self.refuse(request, entra, email, error.message)
                ) from error
            return
        sociallogin.state[JOIN_KEY] = outcome.invitation.pk

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Only for a person invited to the body (`pre_social_login` found the invitation)."""
        return bool(sociallogin.state.get(JOIN_KEY))

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        email = address_in(id_token_claims(sociallogin))
        if email:
            user.email = email
            user.username = email  # allauth makes up another if it is taken
            sociallogin.email_addresses = [EmailAddress(email=email, verified=True, primary=True)]
        return user

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        """The invited person's new account, joined to the body; nothing is kept if
        joining is refused (the invitation was used or withdrawn meanwhile)."""
        invitation = Invitation.objects.select_related("body").get(pk=sociallogin.state[JOIN_KEY])
        try:
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
                join(invitation=invitation, user=user, request=request)
        except PeopleError as error:
            raise ImmediateHttpResponse(
                self.refuse(
                    request,
                    entra_of(sociallogin),
                    address_in(id_token_claims(sociallogin)),
                    error.message,
                )
            ) from error
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        pk = (getattr(getattr(provider, "app", None), "settings", None) or {}).get(APP_KEY)
        entra = EntraSignIn.objects.select_related("body").filter(pk=pk).first() if pk else None
        audit.record(
            AuditKind.SIGN_IN_FAILED,
            request=request,
            body=entra.body if entra else None,
            detail=_("Microsoft sign-in did not complete: %(error)s")
            % {"error": exception or error or _("unknown error")},
        )

    def refuse(
        self, request: HttpRequest, entra: EntraSignIn, email: str, reason: str
    ) -> HttpResponse:
        audit.record(
            AuditKind.SIGN_IN_REFUSED,
            request=request,
            body=entra.body,
            username=email,
            detail=_("Microsoft sign-in: %(reason)s") % {"reason": reason},
        )
        return render(
            request,
            REFUSED_TEMPLATE,
            {"reason": reason, "body": entra.body, "email": email},
            status=403,
        )


def entra_of(sociallogin: Any) -> EntraSignIn:
    """The body's sign-in whose app this login came through (`social_app`)."""
    pk = sociallogin.provider.app.settings[APP_KEY]
    return EntraSignIn.objects.select_related("body").get(pk=pk)
