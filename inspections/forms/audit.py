"""The sign-in log's filters: what happened, who (part of a username), and a period of
days in UTC, the log's own time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AuditKind
from .util import DateField, Form


class AuditFilterForm(Form):
    hide_optional = True  # every filter is optional; saying so on each is noise
    kind = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Anything")), *AuditKind.choices]
    )
    who = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=254,
        help_text=_("Part of a username or email address"),
        widget=forms.TextInput(attrs={"type": "search", "class": "govuk-!-width-full"}),
    )
    date_from = DateField(label=_("From (UTC)"), required=False, subject=_("the first day"))
    date_to = DateField(label=_("To (UTC)"), required=False, subject=_("the last day"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "filter-%s"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day must be the same as or after the first."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters as `kind`, `who`, `start` and `end` (aware UTC datetimes, the
        end exclusive: the whole of the last day counts). An invalid one is left out."""
        self.is_valid()  # a field in error is missing from cleaned_data
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        return {
            "kind": data.get("kind") or "",
            "who": (data.get("who") or "").strip(),
            "start": _utc_midnight(start) if start else None,
            "end": _utc_midnight(end + dt.timedelta(days=1)) if end else None,
        }


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
