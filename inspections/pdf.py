"""PDFs rendered by WeasyPrint from our templates, fetching nothing from outside.

WeasyPrint's default fetcher will read `file:///etc/passwd` or call any URL a document
names. Ours is deny-by-default: `data:` URIs, our own static files (under a fixed internal
base address) and the resources a document is given in memory (the body's logo, under
that base too) are served; every other URL is refused and logged.

Links: a PDF is read away from the app, so a link in one must be the deployment's public
address (SITE_URL). `printable_links` drops every other link (relative ones, and all of
them when SITE_URL is a local address such as 127.0.0.1) before rendering."""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import mimetypes
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)

# Documents are rendered against this base, so `{% static %}` paths resolve under it.
ASSET_BASE = "https://pdf-assets.invalid/"
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    pass


def _static_file(path: str) -> Path | None:
    """A file of our own static files, or None. No `..` escapes, no absolute paths."""
    if not path.startswith(settings.STATIC_URL.lstrip("/")):
        return None
    relative = path.removeprefix(settings.STATIC_URL.lstrip("/"))
    if not relative or relative.startswith("/") or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if isinstance(found, str):
        return Path(found)
    # Collected files (e.g. hashed names from the manifest storage) under STATIC_ROOT.
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    return candidate if candidate.is_file() and root in candidate.parents else None


class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `data:` URIs, our static files and the given in-memory resources (exact
    URLs under ASSET_BASE: content and type); refuses everything else."""

    def __init__(
        self, resources: Mapping[str, tuple[bytes, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.resources = dict(resources or {})

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url in self.resources and url.startswith(ASSET_BASE):
            content, content_type = self.resources[url]
            return URLFetcherResponse(url, body=content, headers={"Content-Type": content_type})
        if url.startswith(ASSET_BASE):
            found = _static_file(url.removeprefix(ASSET_BASE).split("?")[0].split("#")[0])
            if found is not None:
                content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=found.read_bytes(), headers={"Content-Type": content_type}
                )
        logger.warning("PDF rendering refused to fetch %s", url[:200])
        raise RefusedURL(f"Refused to fetch {url[:200]}")


def document_lang() -> str:
    """The active language as BCP 47 for `<html lang>`, which WeasyPrint writes into the
    PDF's /Lang: "en-gb" becomes "en-GB", "cy" stays "cy"."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return translation.to_locale(language).replace("_", "-")


def public_site() -> str:
    """SITE_URL without its trailing slash if people outside this machine can follow it;
    "" for a local address (localhost, 127.0.0.1, ::1...), whose links would lead
    nowhere once the PDF leaves the machine."""
    site = settings.SITE_URL.rstrip("/")
    parts = urlsplit(site)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return ""
    if host == "localhost" or host.endswith(".localhost"):
        return ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return site
    return "" if address.is_loopback or address.is_unspecified else site


def public_url(path: str) -> str:
    """The app's page at `path` on the public address, or "" where there is none."""
    site = public_site()
    return f"{site}{path}" if site and path else ""


def printable(figures: list[Any]) -> list[Any]:
    """Dashboard figures (dataclasses with a `url` into the app) with links a reader of
    the PDF can follow: the public address, or none."""
    return [dataclasses.replace(f, url=public_url(f.url)) for f in figures]


_LINK = re.compile(r'(<a\b[^>]*?)\s+href="([^"]*)"', re.IGNORECASE)


def printable_links(html: str) -> str:
    """The document with every link that does not lead to the public address (or to a
    place in the document itself) turned into plain text. Our templates quote attributes
    with double quotes and escape user text, so `<a ` only ever starts our own links."""
    site = public_site()

    def keep(match: re.Match[str]) -> str:
        href = match.group(2)
        if href.startswith("#") or (site and (href == site or href.startswith(site + "/"))):
            return match.group(0)
        return match.group(1)

    return _LINK.sub(keep, html)


def render_pdf(
    html: str,
    *,
    finisher: Callable[[Any, Any], None] | None = None,
    resources: Mapping[str, tuple[bytes, str]] | None = None,
) -> bytes:
    """Tagged PDF/UA with title and language taken from the HTML's <title> and lang.
    `resources`: content the fetcher may serve by exact URL (the letterhead's logo);
    `finisher`: WeasyPrint's hook to change the PDF before it is written."""
    document = HTML(
        string=printable_links(html),
        base_url=ASSET_BASE,
        url_fetcher=SafeURLFetcher(resources),
    )
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT, finisher=finisher))


def render_document(
    template: str,
    context: dict[str, Any],
    request: HttpRequest | None = None,
    *,
    resources: Mapping[str, tuple[bytes, str]] | None = None,
) -> bytes:
    context = {"produced": timezone.localtime(), **context}
    return render_pdf(render_to_string(template, context, request=request), resources=resources)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
