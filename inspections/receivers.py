"""Signal receivers, connected in `InspectionsConfig.ready`: the sign-in log hears about
sign-ins and two-factor changes here."""

from __future__ import annotations
