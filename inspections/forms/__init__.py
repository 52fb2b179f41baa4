"""Forms render as GOV.UK Frontend components through Django's form renderer: the
templates live in templates/forms/ and templates/django/forms/widgets/."""

from __future__ import annotations

from .rendering import GovUKRenderer

__all__ = ["GovUKRenderer"]
