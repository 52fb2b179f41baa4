"""What every form of the app shares: the base classes that keep text clean, the GOV.UK
date input, and typed access to a form's fields (`form.fields[name]` is typed as a plain
Field)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ..validation import (
    EARLIEST_DATE,
    Problem,
    clean_text_values,
    day,
    in_date_window,
    latest_date,
)

M = TypeVar("M", bound=models.Model)


def choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def date_field(form: forms.BaseForm, name: str) -> DateField:
    return cast(DateField, form.fields[name])


def add_problems(form: forms.BaseForm, problems: list[Problem]) -> None:
    """Attach the problems a rule in `inspections.validation` found to their fields."""
    for name, message in problems:
        form.add_error(name if name in form.fields else None, message)


# --- Text hygiene -------------------------------------------------------------------------


class TextHygiene(forms.BaseForm):
    """Removes bidirectional control characters from everything the user sent, before
    any field sees it: a required field holding nothing else is then empty and refused,
    and a form shown again shows the text as it will be stored. `clean` removes them
    from anything a form works out itself (an uploaded file's name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = without_bidi_in_data(self.data)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        for name, value in cleaned.items():
            cleaned[name] = clean_text_values(value)
        return cleaned


def without_bidi_in_data(data: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, MultiValueDict):  # a QueryDict too
        copy: MultiValueDict[str, Any] = MultiValueDict()
        for key, values in data.lists():
            copy.setlist(key, [clean_text_values(value) for value in values])
        return copy
    return {key: clean_text_values(value) for key, value in data.items()}


class Form(TextHygiene, forms.Form):
    """The base of every plain form in the app."""


class ModelForm(TextHygiene, forms.ModelForm[M]):
    """The base of every model form in the app."""


# --- The GOV.UK date input ----------------------------------------------------------------

PARTS = ("day", "month", "year")
PART_LABELS = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
PART_WIDTHS = {
    "day": "govuk-input--width-2",
    "month": "govuk-input--width-2",
    "year": "govuk-input--width-4",
}
# The bound field tells the widget which parts to mark as wrong through this attribute;
# the widget removes it before rendering.
ERROR_PARTS = "error_parts"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateInput(forms.MultiWidget):
    """GOV.UK's date input: Day, Month and Year boxes named `<name>-day`, `<name>-month`
    and `<name>-year`. A single ISO date under the plain `<name>` is accepted too (the
    dashboard's links carry `?published_from=2024-01-01`); the boxes win when filled."""

    template_name = "django/forms/widgets/govuk_date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(dict.fromkeys(PARTS, forms.TextInput), attrs)
        self.widgets_names = [f"-{part}" for part in PARTS]

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            year, month, day_ = value.strip().split("-")
            return [day_.lstrip("0"), month.lstrip("0"), year]
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), f"{value.year:04d}"]
        return ["", "", ""]

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> Any:
        parts = super().value_from_datadict(data, files, name)
        if any(parts) or not data.get(name):
            return parts
        return data.get(name)  # the ISO date of a link; DateField.to_python reads it

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        wrong = attrs.pop(ERROR_PARTS, ())
        invalid = attrs.pop("aria-invalid", None)
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            sub_attrs = subwidget["attrs"] = dict(subwidget["attrs"])  # one dict per box
            if id_:
                sub_attrs["id"] = f"{id_}-{part}"
            classes = ["govuk-input", "govuk-date-input__input", PART_WIDTHS[part]]
            if part in wrong:
                classes.append("govuk-input--error")
                if invalid:
                    sub_attrs["aria-invalid"] = invalid
            sub_attrs["class"] = " ".join(classes)
            sub_attrs["inputmode"] = "numeric"
            sub_attrs.pop("autocomplete", None)
            subwidget["label"] = PART_LABELS[part]
        return context


def date_hint(help_text: StrOrPromise | None = None) -> StrOrPromise:
    """A date's hint: its help text, if any, and an example in the order of the boxes."""
    example = _("For example, 27 3 2026")
    return format_lazy("{} {}", help_text, example) if help_text else example


MISSING_PARTS = {
    ("day",): _("%(Subject)s must include a day."),
    ("month",): _("%(Subject)s must include a month."),
    ("year",): _("%(Subject)s must include a year."),
    ("day", "month"): _("%(Subject)s must include a day and month."),
    ("day", "year"): _("%(Subject)s must include a day and year."),
    ("month", "year"): _("%(Subject)s must include a month and year."),
}


class DateField(forms.DateField):
    """A date entered with the GOV.UK date input, checked part by part with GOV.UK's
    messages, and refused outside 1 January 1990 to ten years from today
    (`validation.in_date_window`). `subject` names the date in messages ("publication
    date"); by default it is the label. Each error says which parts are wrong
    (`params["parts"]`), so only those boxes are marked."""

    widget = DateInput
    default_error_messages = {
        "required": _("Enter %(subject)s."),
        "invalid": _("%(Subject)s must be a real date."),
        "year": _("The year of %(subject)s must include 4 numbers."),
        "window": _("%(Subject)s must be between %(earliest)s and %(latest)s."),
    }

    def __init__(self, *, subject: StrOrPromise | None = None, **kwargs: Any) -> None:
        kwargs.pop("widget", None)  # always the date input: ModelForms pass a default
        kwargs["help_text"] = date_hint(kwargs.get("help_text"))
        super().__init__(**kwargs)
        self.subject = subject

    def _params(self, parts: tuple[str, ...] = PARTS, **extra: Any) -> dict[str, Any]:
        subject = self.subject or _("the %(label)s") % {
            "label": _lower_first(str(self.label or _("date")))
        }
        return {"subject": subject, "Subject": capfirst(subject), "parts": parts, **extra}

    def _error(self, code: str, parts: tuple[str, ...] = PARTS) -> ValidationError:
        message = MISSING_PARTS[parts] if code == "missing" else self.error_messages[code]
        return ValidationError(message, code=code, params=self._params(parts))

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise self._error("invalid") from None
        return self._from_parts([str(part or "").strip() for part in value])

    def _from_parts(self, parts: list[str]) -> dt.date | None:
        given = dict(zip(PARTS, parts, strict=True))
        if not any(given.values()):
            return None
        missing = tuple(part for part in PARTS if not given[part])
        if missing:
            raise self._error("missing", missing)
        not_numbers = tuple(
            part for part in PARTS if not (given[part].isascii() and given[part].isdigit())
        )
        if not_numbers:
            raise self._error("invalid", not_numbers)
        if len(given["year"]) != 4:
            raise self._error("year", ("year",))
        day_, month, year = (int(given[part]) for part in PARTS)
        if not 1 <= month <= 12:
            raise self._error("invalid", ("month",))
        try:
            return dt.date(year, month, day_)
        except ValueError:
            raise self._error("invalid", ("day",)) from None  # 31 2 2026, 29 2 2027

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            if self.required:
                raise ValidationError(
                    self.error_messages["required"], code="required", params=self._params()
                )
            return
        today = timezone.localdate()
        if not in_date_window(value, today=today):
            raise ValidationError(
                self.error_messages["window"],
                code="window",
                params=self._params(earliest=day(EARLIEST_DATE), latest=day(latest_date(today))),
            )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
