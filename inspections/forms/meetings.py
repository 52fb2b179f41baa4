"""Recording a meeting of the body (name, kind, date, notes)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Meeting
from .responses import VersionedForm
from .util import DateField


class MeetingForm(VersionedForm):
    class Meta:
        model = Meeting
        fields = ["name", "kind", "held_on", "notes"]
        field_classes = {"held_on": DateField}
        labels = {"held_on": _("Date")}
        help_texts = {
            "name": _("For example, “Accountability board, March”."),
            "notes": _("Optional. What the meeting will look at, where it is held."),
        }
        error_messages = {
            "name": {"required": _("Enter the meeting’s name")},
            "kind": {"required": _("Select the kind of meeting")},
        }
        widgets = {
            "name": forms.TextInput(attrs={"class": "govuk-!-width-full"}),
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the meeting’s name"), code="required")
        return name
