"""Typed access to a form's fields: `form.fields[name]` is typed as a plain Field."""

from __future__ import annotations

from typing import Any, cast

from django import forms


def choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


# A native date picker; the ISO format is what <input type="date"> sends and shows.
DATE = forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d")
