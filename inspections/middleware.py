"""Middleware of our own: session timeouts, two-factor enforcement, what force contributors
may reach, and logging refused requests. Each class is one rule's gate; the rule itself
lives in `access` or on the membership."""

from __future__ import annotations
