"""A body runs its own team: invitations, joining, roles, deactivation and the body's
two-factor requirement. Keyword-only, one transaction each; every change is in the
sign-in log (`services.audit`)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import two_factor
from ..models import (
    AuditKind,
    EntraSignIn,
    Invitation,
    Membership,
    PolicingBody,
    Role,
    token_digest,
)
from . import audit

User = get_user_model()


class PeopleError(Exception):
    """A change to the team that is refused; the message says why, for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AlreadyMember(PeopleError):
    pass


class InvitationUnusable(PeopleError):
    pass


class LastAdministrator(PeopleError):
    pass


class NotYourself(PeopleError):
    pass


class MembershipChanged(PeopleError):
    """Someone else changed the membership since the administrator opened it. `current`
    holds the values as saved now, for the page that shows both."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__(_("Someone else changed this person since you opened the page."))
        self.current = current


def normalise_email(email: str) -> str:
    """Addresses compare without regard to case (as Microsoft 365 treats them)."""
    return email.strip().lower()


def _long(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _person(user: Any) -> str:
    return str(user.get_username()) if user is not None else ""


def describe_role(*, role: str, is_administrator: bool) -> str:
    label = str(Role(role).label)
    return _("%(role)s and administrator") % {"role": label} if is_administrator else label


def may_administer(role: str) -> bool:
    """Administration goes with the office's roles; a force contributor sees only their
    own actions, so cannot also run the body's team."""
    return role != Role.CONTRIBUTOR


def _check_combination(role: str, is_administrator: bool) -> None:
    if is_administrator and not may_administer(role):
        raise PeopleError(_("A force contributor cannot be an administrator."))


# Reads --------------------------------------------------------------------------------


def address_is_a_members(email: str) -> bool:
    """Whether a user who belongs to a body (any body) already has this address."""
    return Membership.objects.filter(user__email__iexact=normalise_email(email)).exists()


def usable_invitation_for(*, body: PolicingBody, email: str) -> Invitation | None:
    return (
        Invitation.objects.usable()
        .filter(body=body, email__iexact=normalise_email(email))
        .order_by("-created_at")
        .first()
    )


def invitation_from_token(token: str) -> Invitation | None:
    """The usable invitation this link's token stands for, or None."""
    return (
        Invitation.objects.usable()
        .select_related("body")
        .filter(token_digest=token_digest(token))
        .first()
    )


def invitation_any_state(token: str) -> Invitation | None:
    """The invitation for this token whether or not it can still be used (to tell an
    unknown link, a 404, from a spent one)."""
    return (
        Invitation.objects.select_related("body").filter(token_digest=token_digest(token)).first()
    )


def entra_for_invitation(invitation: Invitation) -> EntraSignIn | None:
    """The body's Microsoft sign-in, if it is on and owns the invited address."""
    entra = EntraSignIn.objects.filter(body_id=invitation.body_id, enabled=True).first()
    return entra if entra is not None and entra.owns(invitation.email) else None


@dataclass(frozen=True)
class Person:
    membership: Membership
    has_two_factor: bool

    @property
    def user(self) -> Any:
        return self.membership.user


def people_of(body: PolicingBody) -> list[Person]:
    """Every member of the body, active or not, with whether two-factor sign-in is on:
    two queries whatever the number of members."""
    memberships = list(
        Membership.objects.filter(body=body)
        .select_related("user")
        .order_by("-user__is_active", "user__last_name", "user__first_name", "user__username")
    )
    with_two_factor = two_factor.users_with_two_factor(m.user_id for m in memberships)
    return [Person(m, m.user_id in with_two_factor) for m in memberships]


def pending_invitations(body: PolicingBody) -> list[Invitation]:
    return list(Invitation.objects.usable().filter(body=body).order_by("email", "-created_at"))


def membership_state(membership: Membership) -> dict[str, Any]:
    """The values an administrator changes, as the form saw them (for the conflict check)."""
    return {
        "role": membership.role,
        "is_administrator": membership.is_administrator,
        "job_title": membership.job_title,
    }


# Invitations --------------------------------------------------------------------------


def _invitation_message(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    url = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    inviter = invitation.invited_by
    context = {
        "body": invitation.body.name,
        "role": describe_role(role=invitation.role, is_administrator=invitation.is_administrator),
        "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "url": url,
        "expires": _long(invitation.expires_at),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=_("You are invited to join %(body)s on PCC Responses")
        % {"body": invitation.body.name},
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    return message


@transaction.atomic
def invite(
    *,
    body: PolicingBody,
    email: str,
    role: str,
    is_administrator: bool = False,
    job_title: str = "",
    invited_by: Any,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Sends a single-use link to join `body`. Returns the invitation and the raw token
    (only its digest is stored). An earlier usable invitation of the same address to the
    same body is withdrawn: the new link replaces it. Refused (AlreadyMember) for an
    address that already belongs to a member of any body."""
    email = normalise_email(email)
    _check_combination(role, is_administrator)
    if address_is_a_members(email):
        raise AlreadyMember(
            _("%(email)s already has an account in PCC Responses") % {"email": email}
        )
    for earlier in (
        Invitation.objects.usable().select_for_update().filter(body=body, email__iexact=email)
    ):
        _withdraw(earlier, by=invited_by, request=request, why=_("replaced by a new invitation"))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        body=body,
        email=email,
        role=Role(role),
        is_administrator=is_administrator,
        job_title=job_title.strip(),
        token_digest=token_digest(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record(
        AuditKind.INVITED,
        request=request,
        user=invited_by,
        body=body,
        detail=_("%(email)s as %(role)s") % {"email": email, "role": _role_text(invitation)},
    )
    # Sent last, inside the transaction: a failed send stores no invitation, and the
    # administrator can simply try again (as the reminders do).
    _invitation_message(invitation, token).send()
    return invitation, token


def _role_text(invitation: Invitation | Membership) -> str:
    return describe_role(role=invitation.role, is_administrator=invitation.is_administrator)


def _withdraw(invitation: Invitation, *, by: Any, request: HttpRequest | None, why: str) -> None:
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit.record(
        AuditKind.INVITATION_WITHDRAWN,
        request=request,
        user=by,
        body=invitation.body,
        detail=f"{invitation.email}: {why}" if why else invitation.email,
    )


@transaction.atomic
def invitation_withdraw(
    *, invitation: Invitation, by: Any, request: HttpRequest | None = None
) -> bool:
    """Withdraws a usable invitation; False if it was no longer usable (accepted, expired
    or already withdrawn meanwhile)."""
    current = Invitation.objects.usable().select_for_update().filter(pk=invitation.pk).first()
    if current is None:
        return False
    _withdraw(current, by=by, request=request, why="")
    return True


def _set_verified_address(user: Any, email: str) -> None:
    """allauth's record of the address (password reset, sign-in by email): proven by the
    invitation link. Left alone if another account has already verified it."""
    if EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists():
        return
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


@transaction.atomic
def join(*, invitation: Invitation, user: Any, request: HttpRequest | None = None) -> Membership:
    """Makes `user` a member of the invited body with the invited role, administrator flag
    and job title, and spends the invitation. Refused (InvitationUnusable) if the link was
    used, withdrawn or expired meanwhile: the conditional update lets exactly one of two
    tabs accepting at once win. Refused (AlreadyMember) if the user or the address
    already belongs to a body."""
    now = timezone.now()
    claimed = (
        Invitation.objects.usable()
        .filter(pk=invitation.pk)
        .update(accepted_at=now, accepted_by=user)
    )
    if not claimed:
        raise InvitationUnusable(
            _("This invitation has already been used, was withdrawn or has expired.")
        )
    invitation.refresh_from_db()
    email = normalise_email(invitation.email)
    if (
        Membership.objects.filter(user=user).exists()
        or Membership.objects.filter(user__email__iexact=email).exclude(user=user).exists()
    ):
        raise AlreadyMember(
            _("%(email)s already has an account in PCC Responses") % {"email": email}
        )
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])
    _set_verified_address(user, email)
    membership = Membership.objects.create(
        user=user,
        body_id=invitation.body_id,
        role=invitation.role,
        is_administrator=invitation.is_administrator,
        job_title=invitation.job_title,
    )
    audit.record(
        AuditKind.INVITATION_ACCEPTED,
        request=request,
        user=user,
        body=invitation.body,
        detail=_("%(email)s joined as %(role)s") % {"email": email, "role": _role_text(invitation)},
    )
    return membership


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    request: HttpRequest | None = None,
) -> Membership:
    """A new account for the invited person, with a password, joined to the body. Nothing
    is kept if joining is refused."""
    user = User.objects.create_user(
        username=username,
        email=normalise_email(invitation.email),
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    return join(invitation=invitation, user=user, request=request)


# Changing people ----------------------------------------------------------------------


def _lock_team(body_id: int) -> None:
    """Changes to a body's people take turns (the body's row is the lock), so two
    administrators demoting each other at once cannot leave the body with none."""
    PolicingBody.objects.select_for_update().filter(pk=body_id).values_list("pk").first()


def _other_active_administrators(membership: Membership) -> bool:
    return (
        Membership.objects.filter(body_id=membership.body_id)
        .administrators()
        .active()
        .exclude(pk=membership.pk)
        .exists()
    )


def _is_active_administrator(membership: Membership) -> bool:
    return bool(membership.is_administrator and membership.user.is_active)


def _last_administrator_message(membership: Membership) -> str:
    return _(
        "%(name)s is the only active administrator of %(body)s. Make someone else an "
        "administrator first."
    ) % {"name": _person(membership.user), "body": membership.body.name}


@transaction.atomic
def person_change(
    *,
    membership: Membership,
    role: str,
    is_administrator: bool,
    job_title: str,
    seen: dict[str, Any],
    by: Any,
    request: HttpRequest | None = None,
) -> Membership:
    """Sets a member's role, administrator flag and job title. `seen` is what the
    administrator's form showed (`membership_state`): if the membership has changed since,
    nothing is saved (MembershipChanged). Refused (LastAdministrator) if it would leave the
    body without an active administrator."""
    _lock_team(membership.body_id)
    current = (
        Membership.objects.select_for_update().select_related("user", "body").get(pk=membership.pk)
    )
    now = membership_state(current)
    if now != seen:
        raise MembershipChanged(now)
    _check_combination(role, is_administrator)
    job_title = job_title.strip()
    wanted = {"role": role, "is_administrator": is_administrator, "job_title": job_title}
    if wanted == now:
        return current
    if (
        current.is_administrator
        and not is_administrator
        and current.user.is_active
        and not _other_active_administrators(current)
    ):
        raise LastAdministrator(_last_administrator_message(current))
    changes = []
    if current.role != role:
        changes.append(f"{Role(current.role).label} → {Role(role).label}".lower())
    if current.is_administrator != is_administrator:
        changes.append(_("administrator added") if is_administrator else _("administrator removed"))
    if current.job_title != job_title:
        changes.append(
            _("job title “%(old)s” → “%(new)s”") % {"old": current.job_title, "new": job_title}
        )
    current.role, current.is_administrator, current.job_title = role, is_administrator, job_title
    current.full_clean(exclude=["user", "body"])
    current.save(update_fields=["role", "is_administrator", "job_title"])
    audit.record(
        AuditKind.ROLE_CHANGED,
        request=request,
        user=by,
        body=current.body,
        detail=f"{_person(current.user)}: {'; '.join(changes)}",
    )
    return current


@transaction.atomic
def person_deactivate(
    *, membership: Membership, by: Any, request: HttpRequest | None = None
) -> Membership:
    """They can no longer sign in and their sessions end; they stay listed and keep
    authorship of what they wrote. Refused for yourself and for the last active
    administrator."""
    _lock_team(membership.body_id)
    current = Membership.objects.select_related("user", "body").get(pk=membership.pk)
    user = User.objects.select_for_update().get(pk=current.user_id)
    current.user = user
    if user.pk == getattr(by, "pk", None):
        raise NotYourself(_("You cannot deactivate yourself."))
    if not user.is_active:
        return current
    if _is_active_administrator(current) and not _other_active_administrators(current):
        raise LastAdministrator(_last_administrator_message(current))
    user.is_active = False
    # Their sessions end at once: Django signs no one in as an inactive user, so each
    # of their browsers is signed out on its next request.
    user.save(update_fields=["is_active"])
    audit.record(
        AuditKind.DEACTIVATED,
        request=request,
        user=by,
        body=current.body,
        detail=_person(user),
    )
    return current


@transaction.atomic
def person_reactivate(
    *, membership: Membership, by: Any, request: HttpRequest | None = None
) -> Membership:
    current = Membership.objects.select_related("user", "body").get(pk=membership.pk)
    user = User.objects.select_for_update().get(pk=current.user_id)
    current.user = user
    if user.is_active:
        return current
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        AuditKind.REACTIVATED,
        request=request,
        user=by,
        body=current.body,
        detail=_person(user),
    )
    return current


@transaction.atomic
def body_require_two_factor(
    *, body: PolicingBody, required: bool, by: Any, request: HttpRequest | None = None
) -> PolicingBody:
    """Turns the body-wide two-factor requirement on or off (kept in the body's history
    and the sign-in log)."""
    current = PolicingBody.objects.select_for_update().get(pk=body.pk)
    if current.require_two_factor == required:
        return current
    current.require_two_factor = required
    current.save(update_fields=["require_two_factor"])
    audit.record(
        AuditKind.ROLE_CHANGED,
        request=request,
        user=by,
        body=current,
        detail=(
            _("Two-factor sign-in required for everyone")
            if required
            else _("Two-factor sign-in required only for approvers and administrators")
        ),
    )
    return current
