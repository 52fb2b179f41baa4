"""Naming a new personal API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ApiToken
from .util import Form


class TokenForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_(
            "What the token is for, so you know it again, for example “Power BI board dashboard”."
        ),
        error_messages={
            "required": _("Enter a name for the token"),
            "max_length": _("The name must be %(limit_value)d characters or fewer"),
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name for the token"), code="required")
        return name
