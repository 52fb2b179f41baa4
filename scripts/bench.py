"""`make bench`: every key page under load, on the national data set, served as in production.

    make bench                      # builds (or reuses) the data, then measures
    scripts/bench --rounds 1 --duration 5 --only reports,dashboard
    scripts/bench --in-process      # server time, queries and SQL time per page, no load

It builds (or reuses) the national data set (`generate_scale_data`) in the PostgreSQL
database BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/scale), serves it
with gunicorn and the repository's gunicorn.conf.py (DEBUG off, persistent connections),
and drives each page from a second process on loopback with wrk (16 connections, 10 s).
Each page is measured right after `/healthz` (one query) in the same round, so a page's
figure is also given as its share of `/healthz`'s requests per second: that ratio holds
on a busier or quieter machine where raw figures do not. Two rounds; medians printed.

Targets (issue 14): every list, detail page and htmx fragment at least 25% of `/healthz`
and p99 under 100 ms; the dashboard at least 10% and p99 under 300 ms; no errors.
Not part of CI: it takes minutes and its figures need a quiet machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/scale"

# What a page must reach: share of /healthz's requests per second, and p99 in ms.
LIST_TARGET = (0.25, 100.0)
DASHBOARD_TARGET = (0.10, 300.0)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\":%d,\\"us\\":%d,\\"p50\\":%d,\\"p99\\":%d,"
    .. "\\"errors\\":%d,\\"non2xx\\":%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass
class Page:
    key: str
    label: str
    path: str
    target: tuple[float, float] | None = LIST_TARGET
    htmx: bool = False
    signed_in: bool = True


@dataclass
class Run:
    rps: float
    p50: float
    p99: float
    errors: int


@dataclass
class Result:
    page: Page
    runs: list[Run] = field(default_factory=list)
    shares: list[float] = field(default_factory=list)


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_COOKIES="false",
        SITE_URL="http://127.0.0.1",
        ACCESS_LOG="false",
        DJANGO_SETTINGS_MODULE="pcc_responses.settings",
    )
    return env


def prepare(database_url: str) -> tuple[list[Page], str, dict[str, int]]:
    """Migrates and fills the database if needed; returns the pages, a session cookie for
    an editor of the body with the most actions, and the query count of each page."""
    os.environ.update(_env(database_url))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Case, Count, When
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from inspections.middleware import LAST_SEEN, SIGNED_IN_AT
    from inspections.models import (
        AssuranceAction,
        InspectionReport,
        Membership,
        PolicingBody,
        Response,
        Role,
    )

    call_command("migrate", verbosity=0)
    if not InspectionReport.objects.filter(reference__startswith="SCALE-").exists():
        print("Building the national data set (about 30 s)...", flush=True)
        call_command("generate_scale_data", verbosity=0)
    with connection.cursor() as cursor:  # fresh planner statistics, whatever loaded the data
        cursor.execute("ANALYZE")

    body = (
        PolicingBody.objects.filter(slug__contains="hampshire").first()
        or PolicingBody.objects.annotate(n=Count("actions")).order_by("-n").first()
    )
    assert body is not None, "no bodies"
    if not Response.objects.filter(body=body, editions__isnull=False).exists():
        # The generator writes rows, not editions: the public pages need the body's.
        call_command("backfill_editions", body=body.slug, verbosity=0, stdout=io.StringIO())
    editor = Membership.objects.filter(body=body, role=Role.EDITOR).select_related("user").first()
    assert editor is not None, f"{body} has no editor"
    report = (
        InspectionReport.objects.filter(body=body)
        .annotate(n=Count("findings"))
        .order_by("-n", "pk")
        .first()
    )
    response = (
        Response.objects.filter(body=body).annotate(n=Count("entries")).order_by("-n").first()
    )
    action = (
        AssuranceAction.objects.filter(body=body)
        .annotate(n=Count("updates"))
        .order_by("-n", "pk")
        .first()
    )
    # Public pages: this body's if it published any, else the first body that did.
    published = (
        Response.objects.filter(editions__isnull=False)
        .select_related("body")
        .order_by(Case(When(body=body, then=0), default=1), "pk")
        .first()
    )
    assert report is not None, "the body has no report"
    assert response is not None, "the body has no response"
    assert action is not None, "the body has no action"
    year = report.published_on.year
    pages = [
        Page("healthz", "`/healthz` (one query)", "/healthz", None, signed_in=False),
        Page("sign-in", "sign-in page (template, no query)", "/sign-in/", None, signed_in=False),
        Page("reports", "`/reports/`", "/reports/"),
        Page("reports-q", "`/reports/?q=custody`", "/reports/?q=custody"),
        Page("reports-htmx", "`/reports/` as htmx", "/reports/?q=", htmx=True),
        Page("report", f"a report with {report.n} findings", f"/reports/{report.pk}/"),
        Page("findings", "`/findings/`", "/findings/"),
        Page(
            "findings-htmx",
            "`/findings/?closure=open` as htmx",
            "/findings/?closure=open",
            htmx=True,
        ),
        Page("responses", "`/responses/`", "/responses/"),
        Page(
            "response",
            f"a response ({response.entries.count()} entries)",
            f"/responses/{response.pk}/",
        ),
        Page("actions", "`/actions/`", "/actions/"),
        Page("actions-red", "`/actions/?rag=red`", "/actions/?rag=red"),
        Page(
            "actions-htmx",
            "`/actions/?status=in_progress` as htmx",
            "/actions/?status=in_progress",
            htmx=True,
        ),
        Page("action", f"an action ({action.updates.count()} updates)", f"/actions/{action.pk}/"),
        Page("dashboard", "`/dashboard/`", "/dashboard/", DASHBOARD_TARGET),
        Page(
            "dashboard-filtered",
            f"`/dashboard/?type=peel&since={year}-01-01`",
            f"/dashboard/?type=peel&since={year}-01-01",
            DASHBOARD_TARGET,
        ),
        Page("history", "a response's history", f"/responses/{response.pk}/history/"),
        Page("home", "home page", "/"),
    ]
    if published is not None:
        pages += [
            Page("public", "a public list", f"/public/{published.body.slug}/", signed_in=False),
            Page(
                "public-feed",
                "its Atom feed",
                f"/public/{published.body.slug}/feed/",
                signed_in=False,
            ),
        ]

    client = Client()
    client.force_login(editor.user)
    session = client.session
    session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    queries: dict[str, int] = {}
    for page in pages:
        visitor = client if page.signed_in else Client()
        headers = {"HX-Request": "true"} if page.htmx else {}
        visitor.get(page.path, headers=headers)  # warm
        with CaptureQueriesContext(connection) as captured:
            answer = visitor.get(page.path, headers=headers)
        assert answer.status_code == 200, f"{page.path}: {answer.status_code}"
        queries[page.key] = len(captured.captured_queries)
    return pages, cookie, queries


def in_process(pages: list[Page], cookie: str, queries: dict[str, int], runs: int) -> None:
    """Server time per page in this process (no network, no load): median of `runs`, with
    the number of queries and the time spent in SQL."""
    from django.db import connection
    from django.test import Client

    name, key = cookie.split("=", 1)
    print("| page | queries | server ms (median) | of which SQL ms | bytes |")
    print("| --- | --- | --- | --- | --- |")
    for page in pages:
        client = Client()
        if page.signed_in:
            client.cookies[name] = key
        headers = {"HX-Request": "true"} if page.htmx else {}
        totals, sqls = [], []
        size = 0
        for _ in range(runs):
            spent = [0.0]

            def timed(execute, sql, params, many, context, spent=spent):  # type: ignore[no-untyped-def]
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent[0] += time.perf_counter() - start

            with connection.execute_wrapper(timed):
                start = time.perf_counter()
                answer = client.get(page.path, headers=headers)
                totals.append((time.perf_counter() - start) * 1000)
            sqls.append(spent[0] * 1000)
            size = len(answer.content)
        print(
            f"| {page.label} | {queries[page.key]} | {statistics.median(totals):.1f} | "
            f"{statistics.median(sqls):.1f} | {size:,} |"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(database_url: str, port: int, workers: int | None) -> subprocess.Popen[bytes]:
    env = _env(database_url) | {"PORT": str(port), "HOST": "127.0.0.1"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "pcc_responses.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-gunicorn.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def check(base: str, pages: list[Page], cookie: str) -> None:
    """Each page answers 200 to the signed-in editor: a redirect to sign in would measure
    the wrong thing."""
    for page in pages:
        request = urllib.request.Request(base + page.path)
        if page.signed_in:
            request.add_header("Cookie", cookie)
        if page.htmx:
            request.add_header("HX-Request", "true")
        with urllib.request.urlopen(request, timeout=30) as answer:
            final = answer.geturl()
            if answer.status != 200 or ("/sign-in/" in final and page.key != "sign-in"):
                raise SystemExit(f"{page.path} answered {answer.status} at {final}")


def wrk(base: str, page: Page, cookie: str, seconds: int, connections: int, script: str) -> Run:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script,
    ]
    if page.signed_in:
        command += ["-H", f"Cookie: {cookie}"]
    if page.htmx:
        command += ["-H", "HX-Request: true"]
    output = subprocess.run(
        [*command, base + page.path], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^RESULT (\{.*\})$", output, re.MULTILINE)
    assert match, output
    data = json.loads(match.group(1))
    return Run(
        rps=data["requests"] / (data["us"] / 1e6),
        p50=data["p50"] / 1000,
        p99=data["p99"] / 1000,
        errors=data["errors"] + data["non2xx"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--only", help="comma-separated page keys, e.g. reports,dashboard")
    parser.add_argument("--in-process", action="store_true", help="server time per page, no load")
    args = parser.parse_args()
    if not args.in_process and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")

    pages, cookie, queries = prepare(args.database_url)
    if args.only:
        wanted = set(args.only.split(",")) | {"healthz"}
        pages = [page for page in pages if page.key in wanted]
    if args.in_process:
        in_process(pages, cookie, queries, runs=20)
        return

    healthz = pages[0]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(args.database_url, port, args.workers)
    results = {page.key: Result(page) for page in pages}
    try:
        check(base, pages, cookie)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for round_number in range(1, args.rounds + 1):
            for page in pages[1:]:
                reference = wrk(base, healthz, cookie, args.duration, args.connections, script.name)
                measured = wrk(base, page, cookie, args.duration, args.connections, script.name)
                results["healthz"].runs.append(reference)
                results[page.key].runs.append(measured)
                results[page.key].shares.append(measured.rps / reference.rps)
                print(
                    f"round {round_number}: {page.path} {measured.rps:,.0f} req/s "
                    f"({measured.rps / reference.rps:.1%} of /healthz at {reference.rps:,.0f}), "
                    f"p99 {measured.p99:.0f} ms",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    misses = report(results, queries, args)
    print()
    print("Every page meets its target." if not misses else "Missing: " + "; ".join(misses))


def report(
    results: dict[str, Result], queries: dict[str, int], args: argparse.Namespace
) -> list[str]:
    print()
    print(
        f"{args.connections} connections, {args.duration} s per page, {args.rounds} round(s), "
        f"medians; gunicorn.conf.py on {os.cpu_count()} cores"
    )
    print()
    print(
        "| page | queries | req/s | share of `/healthz` | p50 ms | p99 ms | errors | target | met |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    misses = []
    for key, result in results.items():
        page = result.page
        rps = statistics.median(run.rps for run in result.runs)
        p50 = statistics.median(run.p50 for run in result.runs)
        p99 = statistics.median(run.p99 for run in result.runs)
        errors = sum(run.errors for run in result.runs)
        share = statistics.median(result.shares) if result.shares else 1.0
        if page.target is None:
            target, met = "", ""
        else:
            least, ceiling = page.target
            target = f"≥ {least:.0%}, p99 < {ceiling:.0f} ms"
            ok = share >= least and p99 < ceiling and errors == 0
            met = "yes" if ok else "**no**"
            if not ok:
                misses.append(f"{page.label} ({share:.1%}, p99 {p99:.0f} ms, {errors} errors)")
        print(
            f"| {page.label} | {queries.get(key, '')} | {rps:,.0f} | {share:.1%} | {p50:.0f} | "
            f"{p99:.0f} | {errors} | {target} | {met} |"
        )
    return misses


if __name__ == "__main__":
    main()
