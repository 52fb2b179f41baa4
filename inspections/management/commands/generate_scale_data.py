from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspections.scale_data import (
    FULL_SIZE,
    MAX_SCALE,
    REFERENCE_PREFIX,
    USERNAME_PREFIX,
    delete_scale_data,
    generate_scale_data,
    scale_data_exists,
)


def scale_fraction(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number") from None
    if not 0 < value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_SCALE:g}")
    return value


def iso_date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date like 2026-11-29") from None


class Command(BaseCommand):
    help = (
        "Build a national-scale data set for measuring the app (query counts, timings): "
        f"every policing body, ten years of reports (at --scale 1: about "
        f"{FULL_SIZE.reports:,} reports, {FULL_SIZE.findings:,} findings, "
        f"{FULL_SIZE.actions:,} actions and {FULL_SIZE.updates:,} progress updates), "
        "with one scale user per role per body, its words and weights from "
        "inspections/data/scale-vocabulary.toml. The same --seed, --scale and --today give "
        "the same rows. Rows are inserted with bulk_create, so no history "
        "(django-simple-history) is recorded for them: that is intended, nobody made these "
        f"changes. Generated data is marked (report references start with "
        f"{REFERENCE_PREFIX}, usernames with {USERNAME_PREFIX}); --replace deletes exactly "
        "that, and what hangs off it, first. For test and benchmark databases, not production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="Seed for the generator (default 2026)."
        )
        parser.add_argument(
            "--scale",
            type=scale_fraction,
            default=1.0,
            help="Fraction of the full size, for example 0.01 for tests (default 1).",
        )
        parser.add_argument(
            "--today",
            type=iso_date,
            default=None,
            help="The day the data is generated around, as YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete previously generated scale data first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if scale_data_exists():
            if not options["replace"]:
                raise CommandError(
                    "Scale data already exists (reports whose reference starts with "
                    f"{REFERENCE_PREFIX} or users whose name starts with {USERNAME_PREFIX}). "
                    "Nothing was changed. Run again with --replace to delete it and generate "
                    "afresh."
                )
            delete_scale_data(stdout=self.stdout)
        generate_scale_data(
            seed=options["seed"],
            scale=options["scale"],
            today=options["today"],
            stdout=self.stdout,
        )
