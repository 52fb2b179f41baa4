"""Times the dashboard for one body, server side, as a signed-in member sees it.

Usage (national-scale data on PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py generate_scale_data
    DATABASE_URL=... scripts/bench_dashboard [--body SLUG] [--runs 30]

It renders /dashboard/ through Django's full request cycle (middleware, views, templates)
in this process, so the figure is server time without the network, and reports the
median and 95th percentile over the runs and the number of SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcc_responses.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_COOKIES", "false")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from inspections.models import Membership, PolicingBody

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--body", help="slug of the body (default: the one with most actions)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--query", default="", help='e.g. "?type=peel"')
    args = parser.parse_args()

    bodies = PolicingBody.objects.annotate(n=Count("actions")).order_by("-n")
    body = bodies.get(slug=args.body) if args.body else bodies.first()
    assert body is not None, "no bodies: load data first"
    member = Membership.objects.filter(body=body).select_related("user").first()
    assert member is not None, f"{body} has no members"
    client = Client()
    client.force_login(member.user)
    url = "/dashboard/" + args.query

    for _ in range(3):  # warm caches and persistent connections
        assert client.get(url).status_code == 200
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    counts = (
        body.reports.count(),
        body.actions.count(),
    )
    print(f"database: {connection.vendor}; body: {body.name}")
    print(f"data for this body: {counts[0]} reports, {counts[1]} actions")
    print(f"{url}: {len(queries)} queries per request")
    print(
        f"server time over {args.runs} runs: median {statistics.median(times):.0f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.0f} ms, max {times[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
