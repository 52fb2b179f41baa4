"""PDFs rendered by WeasyPrint from our templates, fetching nothing from outside.

WeasyPrint's default fetcher will read `file:///etc/passwd` or call any URL a document
names. Ours is deny-by-default: `data:` URIs and our own static files (under a fixed
internal base address) are served; every other URL is refused and logged."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any

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
    """Serves `data:` URIs and our static files; refuses everything else."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
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


def render_pdf(html: str) -> bytes:
    """Tagged PDF/UA with title and language taken from the HTML's <title> and lang."""
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=SafeURLFetcher())
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))


def render_document(
    template: str, context: dict[str, Any], request: HttpRequest | None = None
) -> bytes:
    context = {"produced": timezone.localtime(), **context}
    return render_pdf(render_to_string(template, context, request=request))


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
