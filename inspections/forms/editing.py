"""What edit forms add for safe saving: the version the user started from, and the reason
for a finding change that takes a response back to draft."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .util import Form

FINDING_REASON_HELP = _(
    "The response to this report has been sent for approval or approved. Saving returns it "
    "to draft and it needs approval again; say why (kept in the response's history)."
)


def add_version(form: forms.BaseModelForm[Any]) -> None:
    """An edit form carries the version the user opened, so a save merges with changes
    saved since instead of overwriting them (`services.merging`). None for a new record."""
    if form.instance.pk is None:
        return
    form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    if not form.is_bound:
        form.initial["version"] = form.instance.version


def add_finding_change_reason(form: forms.BaseForm, *, label: Any) -> None:
    """Under a response sent for approval or approved, a finding change asks why."""
    form.fields["change_reason"] = forms.CharField(
        label=label,
        help_text=FINDING_REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FindingRemovalForm(Form):
    """The confirmation of a removal: empty, unless the removal needs a reason."""

    def __init__(self, *args: Any, reason_needed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "remove-%s"
        if reason_needed:
            add_finding_change_reason(self, label=_("Why are you removing this finding?"))
