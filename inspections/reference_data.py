"""Loads the reference data every deployment needs: forces and bodies (from the CSV in
data/), inspectorates and the addressees of recommendations. Idempotent: it creates what
is missing and brings names and kinds up to date, keyed by slug or code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import Addressee, Force, Inspectorate, Nation, PolicingBody

BODIES_CSV = Path(__file__).resolve().parent / "data" / "policing-bodies.csv"

INSPECTORATES = [
    ("hmicfrs", "HMICFRS", "His Majesty's Inspectorate of Constabulary and Fire & Rescue Services"),
    ("hmi-probation", "HMI Probation", "His Majesty's Inspectorate of Probation"),
    ("hmi-prisons", "HMI Prisons", "His Majesty's Inspectorate of Prisons"),
    ("hmcpsi", "HMCPSI", "His Majesty's Crown Prosecution Service Inspectorate"),
]

# (code, name, answered in the body's s55 response)
ADDRESSEES = [
    ("chief-constables", "Chief constables", True),
    ("policing-bodies", "Police and crime commissioners and other local policing bodies", True),
    ("home-office", "Home Office", False),
    ("npcc", "National Police Chiefs' Council", False),
    ("college-of-policing", "College of Policing", False),
    ("national-lead", "A national policing lead", False),
    ("moj-hmpps", "Ministry of Justice and HM Prison and Probation Service", False),
    ("fire-chiefs", "Chief fire officers", False),
    ("other", "Other", False),
]

BODY_KINDS = {
    "PCC": PolicingBody.Kind.PCC,
    "PFCC": PolicingBody.Kind.PFCC,
    "MAYOR": PolicingBody.Kind.MAYOR,
    "POLICE_AUTHORITY": PolicingBody.Kind.POLICE_AUTHORITY,
}


@dataclass(frozen=True)
class LoadResult:
    forces: int
    bodies: int
    inspectorates: int
    addressees: int


@transaction.atomic
def load_reference_data(csv_path: Path = BODIES_CSV) -> LoadResult:
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        force, _ = Force.objects.update_or_create(
            slug=slugify(row["force"]),
            defaults={"name": row["force"], "nation": Nation(row["nation"].strip().lower())},
        )
        facts = {
            "name": row["body_name"],
            "kind": BODY_KINDS[row["body_kind"]],
            "force": force,
            "notes": row["notes"],
        }
        body, created = PolicingBody.objects.get_or_create(
            slug=slugify(row["body_name"]), defaults=facts
        )
        # Saved only when the CSV says something new, so the body's history shows changes
        # and a rerun adds nothing.
        if not created and any(getattr(body, k) != v for k, v in facts.items()):
            for key, value in facts.items():
                setattr(body, key, value)
            body.save()
    for code, short_name, name in INSPECTORATES:
        Inspectorate.objects.update_or_create(
            code=code, defaults={"short_name": short_name, "name": name}
        )
    for position, (code, name, answerable) in enumerate(ADDRESSEES):
        Addressee.objects.update_or_create(
            code=code, defaults={"name": name, "answerable": answerable, "position": position}
        )
    return LoadResult(
        forces=Force.objects.count(),
        bodies=PolicingBody.objects.count(),
        inspectorates=Inspectorate.objects.count(),
        addressees=Addressee.objects.count(),
    )
