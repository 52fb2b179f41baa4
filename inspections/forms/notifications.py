"""A person's choice, per kind of notification, of how they hear about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Delivery, NotificationKind
from .util import Form

HINTS = {
    NotificationKind.REMINDERS: _(
        "Reminders are worked out once a day, so they always come in the daily digest: "
        "“Email me at once” sends them there too."
    ),
}

MISSING = {NotificationKind.REMINDERS: _("Select how you want to get reminders")}


class NotificationPreferencesForm(Form):
    """One group of radios per kind that can reach the person (`services.notify.kinds_for`),
    each named after its kind."""

    hide_optional = True

    def __init__(self, *args: Any, kinds: Sequence[NotificationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            message = MISSING.get(kind) or _("Select how you want to hear when %(when)s") % {
                "when": str(kind.label)[:1].lower() + str(kind.label)[1:]
            }
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                help_text=HINTS.get(kind, ""),
                error_messages={"required": message, "invalid_choice": message},
            )
