"""Gunicorn's configuration for production, the container and `make bench`.

Gunicorn reads this file from the working directory (`gunicorn pcc_responses.wsgi`), or
from `-c gunicorn.conf.py`. Every value can be set from the environment; the defaults
suit one machine serving the app on its own.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as error:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from error
    if number < 1:
        raise SystemExit(f"{name} must be 1 or more, not {number}")
    return number


def _cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"

# Pages are CPU-bound Python with short waits on PostgreSQL: a sync worker per core keeps
# every core busy, and a second thread in each covers the database waits without the
# cost of more processes (measured with `make bench`: README, "Speed").
workers = _int("WEB_CONCURRENCY", _cores())
threads = _int("GUNICORN_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"

# A request taking longer than this is killed and logged; PDFs of any size are built by the
# task worker, so no page should come near it.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, so a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10

# The largest request line and headers; bodies are limited by DATA_UPLOAD_MAX_MEMORY_SIZE
# and the upload limits in settings.
limit_request_line = 8190
limit_request_fields = 100

# Heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# One line per request on standard output (ACCESS_LOG=false turns it off, as the bench
# does): time, method, path without the query string, status, bytes, duration in
# microseconds and the request id. No query strings, cookies or user names, so searches
# and tokens stay out of the log.
accesslog = None if os.environ.get("ACCESS_LOG", "true").lower() in ("0", "false", "no") else "-"
access_log_format = (
    '{"time":"%(t)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
    '"bytes":%(B)s,"us":%(D)s,"request_id":"%({x-request-id}i)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a proxy that sets X-Forwarded-For, log the client's address from it only where the
# proxy's own address is listed (FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
