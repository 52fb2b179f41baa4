from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..letterhead import CheckedLogo, LogoRefused, check_logo, max_bytes
from ..models import PolicingBody
from .util import Form, ModelForm

MAX_ADDRESS_LINES = 8
MAX_ADDRESS_CHARACTERS = 500


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


class LetterheadForm(Form):
    """The body's letterhead: a new logo (checked by `letterhead.check_logo`: what is
    cleaned is the logo as it will be stored), or removing it, and the office address.
    The letterhead the administrator started from travels as `letterhead_version`, so a
    colleague's change in between is refused, never overwritten."""

    hide_optional = True
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    office_address = forms.CharField(
        label=_("Office address"),
        required=False,
        max_length=MAX_ADDRESS_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "street-address"}),
    )
    letterhead_version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, has_logo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo"].help_text = _(
            "A PNG or SVG file, up to %(size)s. It is printed about 18 mm high."
        ) % {"size": filesizeformat(max_bytes())}
        self.fields["office_address"].help_text = _(
            "Printed at the top of responses and board packs, one line per line, up to %(n)s lines."
        ) % {"n": MAX_ADDRESS_LINES}
        if not has_logo:
            del self.fields["remove_logo"]

    def clean_logo(self) -> CheckedLogo | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size is None or upload.size > max_bytes():
            raise forms.ValidationError(
                _("The logo must be smaller than %(size)s."),
                params={"size": filesizeformat(max_bytes())},
                code="size",
            )
        upload.seek(0)
        try:
            return check_logo(str(upload.name or ""), upload.read(max_bytes() + 1))
        except LogoRefused as refused:
            raise forms.ValidationError(str(refused), code="content") from None

    def clean_office_address(self) -> str:
        text = str(self.cleaned_data.get("office_address") or "")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_ADDRESS_LINES:
            raise forms.ValidationError(
                _("The address can have up to %(n)s lines; it has %(count)s."),
                params={"n": MAX_ADDRESS_LINES, "count": len(lines)},
                code="lines",
            )
        return "\n".join(lines)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Choose a new logo or remove the logo, not both."))
        return cleaned
