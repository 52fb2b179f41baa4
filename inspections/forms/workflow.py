"""One small form per workflow transition: only what that step needs to record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Response
from .responses import check_reply_by
from .util import DATE


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, response: Response, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response = response
        if not self.is_bound:
            self.initial.setdefault("version", response.version)

    def changes(self) -> dict[str, Any]:
        """The response fields this step sets (and `reason`, kept in the history)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _not_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


class RequestCommentsForm(TransitionForm):
    chief_invited_on = forms.DateField(
        label=_("Chief officer invited on"), widget=DATE, validators=[_not_future]
    )
    chief_reply_by = forms.DateField(
        label=_("Reply by"),
        widget=DATE,
        help_text=_("The date you set for the chief officer's comments (s55(4))."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("chief_invited_on", timezone.localdate())
        if due := self.response.due_on:
            # Leave time to consider the comments before the statutory deadline.
            self.initial.setdefault("chief_reply_by", due - dt.timedelta(days=21))

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        check_reply_by(self, cleaned)
        return cleaned


class RecordCommentsForm(TransitionForm):
    chief_comments_received_on = forms.DateField(
        label=_("Comments received on"), widget=DATE, validators=[_not_future]
    )
    chief_comments = forms.CharField(
        label=_("The chief officer's comments"), widget=forms.Textarea(attrs={"rows": 8})
    )
    publish_chief_comments = forms.BooleanField(
        label=_("Publish the chief officer's comments with the response"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("chief_comments_received_on", timezone.localdate())
        self.initial.setdefault("chief_comments", self.response.chief_comments)


class PublishForm(TransitionForm):
    published_on = forms.DateField(label=_("Published on"), widget=DATE, validators=[_not_future])
    published_url = forms.URLField(
        label=_("Where it is published"),
        help_text=_("The address of the page on your website."),
        max_length=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("published_on", timezone.localdate())


class CopiesForm(TransitionForm):
    copy_to_inspectorate_on = forms.DateField(
        label=_("Copy sent to HM Inspectors on"), widget=DATE, validators=[_not_future]
    )
    copy_to_home_secretary_on = forms.DateField(
        label=_("Copy sent to the Home Secretary on"), widget=DATE, validators=[_not_future]
    )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        published = self.response.published_on
        for name in ("copy_to_inspectorate_on", "copy_to_home_secretary_on"):
            sent = cleaned.get(name)
            if sent and published and sent < published:
                self.add_error(name, _("A copy cannot be sent before the response is published."))
        return cleaned


class ReasonForm(TransitionForm):
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the response's history."),
    )


class NoResponseForm(TransitionForm):
    no_response_reason = forms.CharField(
        label=_("Why no response is needed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example: the force is clearly not a subject of this national report, or "
            "the force report of the same inspection covers its findings."
        ),
    )

    def changes(self) -> dict[str, Any]:
        return super().changes() | {"reason": self.cleaned_data["no_response_reason"]}


FORMS: dict[str, type[TransitionForm]] = {
    "request-comments": RequestCommentsForm,
    "record-comments": RecordCommentsForm,
    "submit": TransitionForm,
    "approve": TransitionForm,
    "publish": PublishForm,
    "record-copies": CopiesForm,
    "return-to-draft": ReasonForm,
    "no-response": NoResponseForm,
    "reopen": ReasonForm,
}
