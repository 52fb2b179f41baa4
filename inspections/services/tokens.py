"""Personal API tokens: made on the account page (shown once, only a digest kept), revoked
there, and used by a feed request instead of a browser session. A token acts with its
owner's membership as it is now: when the owner is deactivated, leaves the body or may no
longer export, the token stops working. Each creation, revocation and use is in the
sign-in log."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import require_exporter
from ..models import ApiToken, AuditKind, Membership
from . import audit


def _named(token: ApiToken) -> str:
    return _("token “%(name)s” (ending %(hint)s)") % {"name": token.name, "hint": token.hint}


@transaction.atomic
def token_create(
    *, membership: Membership, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """A new token for the member and the secret to show them, once. Only members who may
    export have one (force contributors may not)."""
    require_exporter(membership)
    secret = ApiToken.new_secret()
    token = ApiToken(user=membership.user, body=membership.body, name=name)
    token.set_secret(secret)
    token.save()
    audit.record(
        AuditKind.TOKEN_CREATED,
        request=request,
        user=membership.user,
        body=membership.body,
        detail=_named(token),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Stops the token working, for good. Revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        AuditKind.TOKEN_REVOKED,
        request=request,
        user=token.user,  # only its owner revokes it
        body=token.body,
        detail=_named(token),
    )
    return token


def _owner_membership(token: ApiToken) -> Membership | None:
    """The owner's membership if it still lets the token work: same body, may export."""
    membership = Membership.objects.select_related("body", "user").filter(user=token.user).first()
    if membership is None or membership.body_id != token.body_id or not membership.can_export:
        return None
    return membership


@transaction.atomic
def token_authenticate(*, secret: str, request: HttpRequest, what: str) -> Membership | None:
    """The membership a request bearing `secret` acts with, and the use recorded (`what`
    says which list, with its filters; the log keeps the address it came from). None for
    an unknown or revoked token, or one whose owner is deactivated or may no longer
    export: the caller answers each alike. A known token refused is logged against its
    owner's body, for their administrators."""
    secret = secret.strip()
    token = (
        ApiToken.objects.matching(secret).select_related("user", "body").first() if secret else None
    )
    if token is None:
        return None
    usable = ApiToken.objects.usable().filter(pk=token.pk).exists()
    membership = _owner_membership(token) if usable else None
    if membership is None:
        audit.record(
            AuditKind.REFUSED,
            request=request,
            user=token.user,
            body=token.body,
            detail=_("401 API token refused: %(token)s; %(what)s")
            % {"token": _named(token), "what": what},
        )
        return None
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    audit.record(
        AuditKind.TOKEN_USED,
        request=request,
        user=token.user,
        body=token.body,
        detail=f"{what}; {_named(token)}",
    )
    return membership
