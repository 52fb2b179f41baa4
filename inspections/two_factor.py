"""Two-factor sign-in as the rest of the app needs it, over django-allauth's MFA models:
who has it on, turning TOTP on for a known secret (the demo and the tests), and the code
an authenticator app would show now."""

from __future__ import annotations

import time
from collections.abc import Iterable

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth.base_user import AbstractBaseUser

# Recovery codes alone are not a second factor: they stand in for a lost one.
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_two_factor(user: AbstractBaseUser) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists())


def users_with_two_factor(user_ids: Iterable[int]) -> set[int]:
    """Of these users, those with two-factor sign-in on: one query for a whole list."""
    return set(
        Authenticator.objects.filter(user_id__in=list(user_ids), type__in=FACTOR_TYPES)
        .values_list("user_id", flat=True)
        .distinct()
    )


def enable_totp(user: AbstractBaseUser, secret: str) -> None:
    """Turns on TOTP with this base32 secret, and recovery codes with it."""
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def totp_secret(user: AbstractBaseUser) -> str | None:
    authenticator = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.TOTP
    ).first()
    return str(decrypt(authenticator.data["secret"])) if authenticator else None


def totp_code(secret: str, at: float | None = None, period: int = 30) -> str:
    """The six digits an authenticator app shows for `secret` at time `at` (now)."""
    counter = int(time.time() if at is None else at) // period
    return str(format_hotp_value(hotp_value(secret, counter)))
