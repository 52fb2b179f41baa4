from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

from .util import ERROR_PARTS, PARTS, DateInput

# GOV.UK class for each widget, and its error modifier.
# Order matters: subclasses before their parents (CheckboxSelectMultiple is a RadioSelect).
WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.Textarea, "govuk-textarea"),
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.Select, "govuk-select"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.widgets.Input, "govuk-input"),
]


class GovUKBoundField(BoundField):
    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = dict(super().build_widget_attrs(attrs, widget))
        widget = widget or self.field.widget
        if isinstance(widget, DateInput):
            # The date input styles its own boxes, marking only the parts in error.
            attrs[ERROR_PARTS] = self.date_error_parts
            return attrs
        for widget_class, css in WIDGET_CLASSES:
            if isinstance(widget, widget_class):
                classes = [css, widget.attrs.get("class", ""), attrs.get("class", "")]
                if self.errors and css in {
                    "govuk-input",
                    "govuk-textarea",
                    "govuk-select",
                    "govuk-file-upload",
                }:
                    classes.append(f"{css}--error")
                attrs["class"] = " ".join(c for c in classes if c)
                break
        return attrs

    @property
    def date_error_parts(self) -> tuple[str, ...]:
        """The boxes of a date to mark: those its errors name, or all three for an error
        about the whole date (one a form's `clean` added)."""
        errors = self.form.errors.get(self.name)
        if not errors:
            return ()
        named: set[str] = set()
        for error in errors.as_data():
            named.update((error.params or {}).get("parts", PARTS))
        return tuple(part for part in PARTS if part in named)

    @property
    def error_anchor(self) -> str:
        """Where the error summary links: the field, the first option of a group, or
        the first box of a date that is wrong."""
        if isinstance(self.field.widget, DateInput):
            parts = self.date_error_parts or PARTS
            return f"{self.auto_id}-{parts[0]}"
        if self.field.widget.use_fieldset and isinstance(
            self.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            return f"{self.auto_id}_0"
        return str(self.id_for_label or self.auto_id)


class GovUKRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
    bound_field_class = GovUKBoundField
