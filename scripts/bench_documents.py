"""Times each PDF document for one body and reports its peak memory.

Usage (national-scale data on PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py generate_scale_data
    DATABASE_URL=... scripts/bench_documents [--body SLUG] [--open-actions 4000]

Without DATABASE_URL it runs against the configured database (SQLite under var/, e.g.
after `manage.py load_demo`).

Documents:
  response   the response PDF (view `response_pdf`) of the body's response with the most
             entries, requested through Django's test client as a signed-in member
  report     the inspection summary (view `report_pdf`) of the body's report with the
             most findings, likewise
  pack       the board pack, built by the background task's function run synchronously
             (`build_board_pack.call(pk)`), unfiltered, changes over the last 30 days
  pack-N     with --open-actions N: the board pack again, for the same body topped up to
             N open actions (copies of its own open actions, each with its findings and
             latest progress update), which are deleted again afterwards
A document whose view is not in the URLconf is reported as skipped.

Each document is produced once in a fresh Python process, so the peak resident memory
(getrusage ru_maxrss) is that document's alone, on top of the "baseline" row: a process
that has loaded Django and WeasyPrint and rendered nothing. The board pack's file goes to
a temporary folder and its record is deleted afterwards.

The issue's target for the board pack, for the body with the most open actions and for a
pack of 4,000 open actions: within 10 seconds and 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcc_responses.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

DOCUMENTS = ["baseline", "response", "report", "pack"]
# Copies made by --open-actions carry this in a field the pack does not print, so a run
# that was interrupted can be cleaned up by the next.
COPY_MARK = "benchmark copy (scripts/bench_documents)"
PACK_SECONDS = 10
PACK_MB = 400


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def page_count(pdf: bytes) -> int | None:
    try:
        import io

        from pypdf import PdfReader
    except ImportError:  # pypdf is a development dependency
        return None
    return len(PdfReader(io.BytesIO(pdf)).pages)


def pick_body(slug: str | None) -> Any:
    from django.db.models import Count, Q

    from inspections.models import OPEN_ACTION_STATUSES, PolicingBody

    bodies = PolicingBody.objects.annotate(
        open_actions=Count("actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES))
    ).order_by("-open_actions", "slug")
    body = bodies.filter(slug=slug).first() if slug else bodies.first()
    if body is None:
        raise SystemExit(f"No body {slug!r}: load data first." if slug else "No bodies.")
    return body


def member_of(body: Any) -> Any:
    from inspections.models import Membership

    membership = Membership.objects.filter(body=body).select_related("user").first()
    if membership is None:
        raise SystemExit(f"{body} has no members to sign in as.")
    return membership


def through_view(name: str, pk: int, body: Any) -> dict[str, Any]:
    """Request a PDF view as a signed-in member of the body."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name, args=[pk])
    except NoReverseMatch:
        return {"skipped": f"no view named {name!r} yet"}
    client = Client()
    client.force_login(member_of(body).user)
    start = time.perf_counter()
    response = client.get(url)
    content = b"".join(response)  # streamed (FileResponse) or not
    seconds = time.perf_counter() - start
    if response.status_code != 200 or not content.startswith(b"%PDF"):
        return {"skipped": f"{url} answered {response.status_code}"}
    return {"seconds": seconds, "bytes": len(content), "pages": page_count(content)}


def run_response(body: Any) -> dict[str, Any]:
    from django.db.models import Count

    from inspections.models import Response

    response = (
        Response.objects.filter(body=body)
        .annotate(n=Count("entries"))
        .order_by("-n", "pk")
        .select_related("report")
        .first()
    )
    if response is None:
        return {"skipped": "the body has no responses"}
    result = through_view("response_pdf", response.pk, body)
    entries = response.n  # type: ignore[attr-defined]  # the annotation above
    return result | {"what": f"{entries} entries: {response.report.title[:40]}"}


def run_report(body: Any) -> dict[str, Any]:
    from django.db.models import Count

    from inspections.models import InspectionReport

    report = (
        InspectionReport.objects.filter(body=body)
        .annotate(n=Count("findings"))
        .order_by("-n", "pk")
        .first()
    )
    if report is None:
        return {"skipped": "the body has no reports"}
    result = through_view("report_pdf", report.pk, body)
    return result | {"what": f"{report.n} findings: {report.title[:40]}"}


def run_pack(body: Any) -> dict[str, Any]:
    import datetime as dt

    from django.test import override_settings
    from django.utils import timezone

    from inspections import packs
    from inspections.models import OPEN_ACTION_STATUSES, AssuranceAction, BoardPack
    from inspections.tasks import build_board_pack

    stages: list[tuple[str, float]] = []
    record = packs._set

    def timed(pack_id: int, attempt: int | None = None, **fields: Any) -> bool:
        if "stage" in fields:  # notes when each stage starts
            stages.append((str(fields["stage"]), time.perf_counter()))
        return record(pack_id, attempt, **fields)

    packs._set = timed
    actions = AssuranceAction.objects.filter(body=body, status__in=OPEN_ACTION_STATUSES).count()
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        pack = BoardPack.objects.create(
            body=body,
            requested_by=member_of(body).user,
            since=timezone.localdate() - dt.timedelta(days=30),
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        try:
            start = time.perf_counter()
            stages.append(("gathering", start))  # the task claims the pack at this stage
            build_board_pack.call(pack.pk)
            seconds = time.perf_counter() - start
            pack.refresh_from_db()
            if pack.status != "done":
                return {"skipped": f"the pack failed: {pack.error}"}
            content = pack.file.read()
            pack.file.close()
        finally:
            if pack.file:
                pack.file.storage.delete(str(pack.file.name))
            BoardPack.objects.filter(pk=pack.pk).delete()
    ends = [at for _stage, at in stages[1:]] + [start + seconds]
    breakdown = ", ".join(
        f"{stage.replace('_', ' ')} {end - at:.2f} s"
        for (stage, at), end in zip(stages, ends, strict=True)
        if stage != "done"
    )
    return {
        "seconds": seconds,
        "bytes": len(content),
        "pages": page_count(content),
        "what": f"{actions} open actions; {breakdown}",
    }


def top_up(body: Any, wanted: int) -> int:
    """Copy the body's open actions (round robin, with their findings and latest update)
    until it has `wanted` open actions. Returns how many copies were made."""
    from django.db import transaction
    from django.db.models import Prefetch

    from inspections.models import OPEN_ACTION_STATUSES, AssuranceAction, ProgressUpdate

    remove_copies()
    open_actions = list(
        AssuranceAction.objects.filter(body=body, status__in=OPEN_ACTION_STATUSES)
        .order_by("pk")
        .prefetch_related(
            "findings",
            Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-written_at", "-pk")),
        )
    )
    missing = wanted - len(open_actions)
    if missing <= 0 or not open_actions:
        return 0
    through = AssuranceAction.findings.through
    copies, links, updates = [], [], []
    for n in range(missing):
        source = open_actions[n % len(open_actions)]
        copy = AssuranceAction(
            **{
                f.attname: getattr(source, f.attname)
                for f in AssuranceAction._meta.concrete_fields
                if not f.primary_key
            }
        )
        copy.assurance_evidence = COPY_MARK
        copies.append((copy, source))
    with transaction.atomic():
        AssuranceAction.objects.bulk_create([c for c, _s in copies], batch_size=2000)
        for copy, source in copies:
            links += [
                through(assuranceaction_id=copy.pk, finding_id=f.pk) for f in source.findings.all()
            ]
            latest = next(iter(source.updates.all()), None)
            if latest is not None:
                updates.append(
                    ProgressUpdate(
                        action=copy,
                        author_id=latest.author_id,
                        written_at=latest.written_at,
                        text=latest.text,
                        percent_complete=latest.percent_complete,
                        status=latest.status,
                    )
                )
        through.objects.bulk_create(links, batch_size=5000)
        ProgressUpdate.objects.bulk_create(updates, batch_size=5000)
    return missing


def remove_copies() -> int:
    """Delete what `top_up` made (raw deletes: no history rows, no signals)."""
    from django.db import transaction

    from inspections.models import AssuranceAction, ProgressUpdate

    copies = AssuranceAction.objects.filter(assurance_evidence=COPY_MARK)
    ids = list(copies.values_list("pk", flat=True))
    if not ids:
        return 0
    through = AssuranceAction.findings.through
    with transaction.atomic():
        for qs in (
            ProgressUpdate.objects.filter(action_id__in=ids),
            through.objects.filter(assuranceaction_id__in=ids),
            AssuranceAction.objects.filter(pk__in=ids),
        ):
            qs._raw_delete(qs.db)
    return len(ids)


def child(document: str, slug: str | None) -> None:
    import django

    django.setup()
    import weasyprint  # noqa: F401  # loaded in every row, so the baseline includes it

    body = pick_body(slug)
    runner = {
        "baseline": lambda b: {"seconds": 0.0},
        "response": run_response,
        "report": run_report,
        "pack": run_pack,
    }[document.split("-")[0]]
    result = runner(body)
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def describe(slug: str | None) -> tuple[str, str]:
    import django

    django.setup()
    from django.db import connection

    from inspections.models import AssuranceAction, InspectionReport, Response

    body = pick_body(slug)
    counts = (
        f"{InspectionReport.objects.filter(body=body).count():,} reports, "
        f"{Response.objects.filter(body=body).count():,} responses, "
        f"{AssuranceAction.objects.filter(body=body).count():,} actions "
        f"({body.open_actions:,} open)"
    )
    return body.slug, f"database: {connection.vendor}; body: {body.name}\ndata: {counts}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--body", help="slug of the body (default: the one with most open actions)")
    parser.add_argument("--only", choices=DOCUMENTS, action="append", help="just these documents")
    parser.add_argument(
        "--open-actions",
        type=int,
        metavar="N",
        help="also build the pack with the body topped up to N open actions (e.g. 4000)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.body)
        return

    slug, header = describe(args.body)
    print(header)
    documents = list(args.only or DOCUMENTS)
    if args.open_actions:
        documents.append(f"pack-{args.open_actions}")
    rows = []
    for document in documents:
        if document.startswith("pack-"):
            made = top_up(pick_body(slug), int(document.removeprefix("pack-")))
            print(f"{document}: {made:,} open actions copied for the run")
        try:
            run = subprocess.run(
                [sys.executable, __file__, "--child", document, "--body", slug],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            if document.startswith("pack-"):
                remove_copies()
        lines = run.stdout.strip().splitlines()
        if run.returncode != 0 or not lines:
            sys.stderr.write(run.stderr)
            raise SystemExit(f"{document}: the benchmark process failed")
        rows.append((document, json.loads(lines[-1])))

    print(f"{'document':<10} {'pages':>5} {'seconds':>8} {'peak MB':>8} {'KB':>7}  notes")
    for document, r in rows:
        if "skipped" in r:
            dash = "-"
            print(
                f"{document:<10} {dash:>5} {dash:>8} {r['peak_mb']:>8.0f} {dash:>7}  "
                f"skipped: {r['skipped']}"
            )
            continue
        pages = "-" if r.get("pages") is None else str(r["pages"])
        size = f"{r['bytes'] / 1024:.0f}" if "bytes" in r else "-"
        print(
            f"{document:<10} {pages:>5} {r['seconds']:>8.2f} {r['peak_mb']:>8.0f} {size:>7}  "
            f"{r.get('what', '')}"
        )
    for document, pack in rows:
        if document.startswith("pack") and "skipped" not in pack:
            met = pack["seconds"] <= PACK_SECONDS and pack["peak_mb"] <= PACK_MB
            print(
                f"{document} target ({PACK_SECONDS} s, {PACK_MB} MB): {'met' if met else 'MISSED'}"
            )


if __name__ == "__main__":
    main()
