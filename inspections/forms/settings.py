from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import PolicingBody
from .util import ModelForm


class RagTolerancesForm(ModelForm[PolicingBody]):
    """The body's RAG tolerances. The values the approver started from travel with the
    form, so a colleague's change in between is refused, never overwritten."""

    seen_green = forms.IntegerField(widget=forms.HiddenInput)
    seen_amber = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PolicingBody
        fields = ["rag_green_points", "rag_amber_points"]
        widgets = {
            "rag_green_points": forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
            "rag_amber_points": forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("seen_green", self.instance.rag_green_points)
        self.initial.setdefault("seen_amber", self.instance.rag_amber_points)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        green, amber = cleaned.get("rag_green_points"), cleaned.get("rag_amber_points")
        if green is not None and amber is not None and green > amber:
            self.add_error(
                "rag_amber_points",
                _("The amber tolerance must be at least the green one (%(green)s points).")
                % {"green": green},
            )
        return cleaned
