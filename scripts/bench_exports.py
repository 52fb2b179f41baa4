"""Measures the list exports at scale: time and peak Python memory (tracemalloc) of the
actions CSV, the actions XLSX and the progress updates CSV, for one body with N actions
and again with N/10, so you can see that memory does not grow with the list.

Usage:
    scripts/bench_exports                      # 40,000 actions, a new SQLite file in /tmp
    scripts/bench_exports --actions 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports scripts/bench_exports

Without DATABASE_URL it makes a temporary SQLite database, migrates it and deletes it
afterwards. With DATABASE_URL the database must exist and be migrated (`manage.py
migrate`); the script adds its own body in a transaction that it rolls back.

The data are made in bulk: 1 report per 100 actions with 10 findings each (addressed to
chief constables), each action serving 2 findings and its report's response, and one
progress update per action. Each download is requested through Django's test client as
a signed-in analyst and read chunk by chunk, never held whole; tracemalloc's peak is
taken over that request alone (Python allocations; the process's resident size includes
Django itself and is not what grows).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcc_responses.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def make_data(count: int, tag: str) -> tuple[Any, Any]:
    """A body with `count` actions; returns (body, analyst user)."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inspections.models import (
        ActionStatus,
        Addressee,
        AssuranceAction,
        Finding,
        Force,
        InspectionReport,
        Inspectorate,
        Membership,
        PolicingBody,
        ProgressUpdate,
        ReportType,
        Response,
        Role,
        Scope,
    )

    today = timezone.localdate()
    force = Force.objects.create(name=f"Bench force {tag}", slug=f"bench-force-{tag}")
    body = PolicingBody.objects.create(
        name=f"Bench body {tag}", slug=f"bench-exports-{tag}", kind=PolicingBody.Kind.PCC,
        force=force,
    )  # fmt: skip
    user = get_user_model().objects.create_user(username=f"bench-analyst-{tag}")
    Membership.objects.create(user=user, body=body, role=Role.ANALYST)
    inspectorate, _ = Inspectorate.objects.get_or_create(
        code="hmicfrs", defaults={"short_name": "HMICFRS", "name": "HMICFRS"}
    )
    chief, _ = Addressee.objects.get_or_create(
        code="chief-constables", defaults={"name": "Chief constables", "answerable": True}
    )
    reports = InspectionReport.objects.bulk_create(
        InspectionReport(
            body=body,
            title=f"Bench report {n}",
            reference=f"REF-{n}",
            report_type=ReportType.NATIONAL_THEMATIC,
            lead_inspectorate=inspectorate,
            published_on=today - dt.timedelta(days=30 * n),
            scope=Scope.NATIONAL,
        )
        for n in range(max(1, count // 100))
    )
    responses = Response.objects.bulk_create(
        Response(body=body, report=r, due_on=r.published_on + dt.timedelta(days=55))
        for r in reports
    )
    findings = Finding.objects.bulk_create(
        Finding(report=r, reference=f"Recommendation {n}", position=n, text="Do it " * 20)
        for r in reports
        for n in range(10)
    )
    Finding.addressees.through.objects.bulk_create(
        Finding.addressees.through(finding_id=f.pk, addressee_id=chief.pk) for f in findings
    )
    by_report = [findings[i * 10 : i * 10 + 10] for i in range(len(reports))]
    batch = 5000
    for start in range(0, count, batch):
        made = AssuranceAction.objects.bulk_create(
            AssuranceAction(
                body=body,
                title=f"Bench action {n:06d}",
                description="Reported monthly to the accountability board. " * 4,
                start_on=today - dt.timedelta(days=60),
                target_on=today + dt.timedelta(days=n % 365),
                percent_complete=n % 100,
                status=ActionStatus.IN_PROGRESS,
                response=responses[n % len(responses)],
            )
            for n in range(start, min(count, start + batch))
        )
        links = AssuranceAction.findings.through
        links.objects.bulk_create(
            links(assuranceaction_id=a.pk, finding_id=f.pk)
            for a in made
            for f in by_report[(a.pk or 0) % len(reports)][:2]
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(action=a, author=user, text="Progress as reported. " * 5) for a in made
        )
    return body, user


def measure(user: Any, url: str) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    tracing = tracemalloc.is_tracing()
    if tracing:
        tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    response = client.get(url)
    size = chunks = 0
    for chunk in response:  # streamed: never held whole
        size += len(chunk)
        chunks += 1
    seconds = time.perf_counter() - start
    peak = (tracemalloc.get_traced_memory()[1] - before) / 1e6 if tracing else None
    assert response.status_code == 200, (url, response.status_code)
    return {"seconds": seconds, "mb": size / 1e6, "peak_mb": peak, "chunks": chunks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=40_000)
    parser.add_argument(
        "--time-only",
        action="store_true",
        help="without tracemalloc, which slows Python down several times: real seconds",
    )
    args = parser.parse_args()
    temporary = None
    if "DATABASE_URL" not in os.environ:
        temporary = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{temporary.name}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    try:
        if temporary is not None:
            call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor}")
        print("| actions | download | seconds | file MB | peak Python MB | chunks |")
        print("| ---: | --- | ---: | ---: | ---: | ---: |")
        for count in (args.actions // 10, args.actions):
            # All in one transaction, rolled back: nothing stays in the database.
            with transaction.atomic():
                tracemalloc.stop()  # making the data is not what is measured
                _body, user = make_data(count, f"{count}-{os.getpid()}")
                if not args.time_only:
                    tracemalloc.start()
                measure(user, "/actions/export.csv?q=none-such")  # warm: imports, URLs
                for label, url in (
                    ("actions CSV", "/actions/export.csv"),
                    ("actions XLSX", "/actions/export.xlsx"),
                    ("progress updates CSV", "/actions/updates/export.csv"),
                ):
                    r = measure(user, url)
                    peak = "–" if r["peak_mb"] is None else f"{r['peak_mb']:.1f}"
                    print(
                        f"| {count:,} | {label} | {r['seconds']:.1f} | {r['mb']:.1f} "
                        f"| {peak} | {r['chunks']} |",
                        flush=True,
                    )
                transaction.set_rollback(True)
    finally:
        if temporary is not None:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(temporary.name + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
