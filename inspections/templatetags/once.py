"""`{% submission_key %}`: the hidden key that makes a create form count once
(`services.idempotency`). A new key each time the form is shown."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..services.idempotency import KEY_FIELD

register = template.Library()


@register.simple_tag
def submission_key() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', KEY_FIELD, uuid.uuid4())
