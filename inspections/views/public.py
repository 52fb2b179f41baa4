"""Public pages: a body's published responses, as pages and as an Atom feed, without
signing in. Only what the body has published appears: never a draft, an unpublished
chief officer's comment, internal dates or notes, or anything OFFICIAL-SENSITIVE."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..models import PUBLISHED_STATUSES, Marking, PolicingBody, ResponseEdition
from .common import paginate, private_file_response

INDEX = "public/index.html"
LIST = "public/list.html"
DETAIL = "public/response.html"
FEED_SIZE = 50
SUMMARY_LENGTH = 500


def _public_editions() -> QuerySet[ResponseEdition]:
    """Latest editions of every response the public may read: published, and neither it
    nor its report OFFICIAL-SENSITIVE."""
    latest = ResponseEdition.objects.filter(response=OuterRef("response")).order_by("-number")
    return ResponseEdition.objects.filter(
        number=Subquery(latest.values("number")[:1]),
        response__status__in=PUBLISHED_STATUSES,
        response__marking=Marking.OFFICIAL,
        response__report__marking=Marking.OFFICIAL,
    )


def published_editions(body: PolicingBody) -> QuerySet[ResponseEdition]:
    """The body's published responses, each as its latest edition, newest first."""
    return (
        _public_editions()
        .filter(response__body=body, response__report__body=body)
        .select_related("response__body")
        .order_by("-published_on", "-response_id")
    )


def published_edition(body: PolicingBody, pk: int) -> ResponseEdition:
    """The latest edition of one published response, or 404: unpublished, sensitive and
    another body's responses are not found, whether or not they exist."""
    try:
        return published_editions(body).get(response_id=pk)
    except ResponseEdition.DoesNotExist:
        raise Http404("No such published response.") from None


def _public(context: dict[str, Any]) -> dict[str, Any]:
    # The same page for everyone: no navigation and nothing from a signed-in session.
    return context | {"user": AnonymousUser(), "membership": None}


@login_not_required
@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    """The deployment's bodies that have published responses, each with its page and feed."""
    bodies = PolicingBody.objects.filter(
        Exists(_public_editions().filter(response__body=OuterRef("pk")))
    ).order_by("name")
    return render(request, INDEX, _public({"bodies": bodies}))


@login_not_required
@require_GET
def public_list(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = get_object_or_404(PolicingBody, slug=body_slug)
    page = paginate(request, published_editions(body))
    return render(request, LIST, _public({"body": body, "page": page}))


@login_not_required
@require_GET
def public_response(request: HttpRequest, body_slug: str, pk: int) -> HttpResponse:
    body = get_object_or_404(PolicingBody, slug=body_slug)
    edition = published_edition(body, pk)
    corrections = (
        edition.response.editions.filter(number__gt=1, number__lte=edition.number)
        .order_by("-number")
        .only("number", "created_at", "correction_reason")
    )
    context = {"body": body, "edition": edition, "doc": edition.content, "corrections": corrections}
    return render(request, DETAIL, _public(context))


@login_not_required
@require_GET
def public_response_pdf(request: HttpRequest, body_slug: str, pk: int) -> FileResponse:
    """The stored PDF of the latest edition, byte for byte as it was published."""
    body = get_object_or_404(PolicingBody, slug=body_slug)
    edition = published_edition(body, pk)
    return private_file_response(
        edition.pdf,
        filename=f"response-{pk}-edition-{edition.number}.pdf",
        content_type="application/pdf",
    )


class PlainSummaryAtom1Feed(Atom1Feed):
    """Atom 1.0 with each entry's summary as plain text, not HTML."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item | {"description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def _published_at(edition: ResponseEdition) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(edition.published_on, dt.time()))


class PublishedResponsesFeed(Feed[ResponseEdition, PolicingBody]):
    feed_type = PlainSummaryAtom1Feed

    def title(self, obj: PolicingBody) -> str:
        return _("Responses to inspection reports: %(body)s") % {"body": obj.name}

    def subtitle(self, obj: PolicingBody) -> str:
        return _(
            "Comments on inspection reports published by %(office)s under section 55 of "
            "the Police Act 1996."
        ) % {"office": obj.office_name}

    def link(self, obj: PolicingBody) -> str:
        return reverse("public_list", args=[obj.slug])

    def feed_url(self, obj: PolicingBody) -> str:
        return reverse("public_feed", args=[obj.slug])

    def author_name(self, obj: PolicingBody) -> str:
        return obj.office_name

    def items(self, obj: PolicingBody) -> QuerySet[ResponseEdition]:
        return published_editions(obj)[:FEED_SIZE]

    def item_title(self, item: ResponseEdition) -> str:
        return str(item.content["title"])

    def item_link(self, item: ResponseEdition) -> str:
        return reverse("public_response", args=[item.response.body.slug, item.response_id])

    def item_guid(self, item: ResponseEdition) -> str:
        # One entry per response, whatever its edition, so a correction updates it.
        return self.item_link(item)

    def item_description(self, item: ResponseEdition) -> str:
        return Truncator(item.content["comments"]).chars(SUMMARY_LENGTH)

    def item_pubdate(self, item: ResponseEdition) -> dt.datetime:
        return _published_at(item)

    def item_updateddate(self, item: ResponseEdition) -> dt.datetime:
        published = _published_at(item)
        return max(published, item.created_at) if item.is_correction else published

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> PolicingBody:
        return get_object_or_404(PolicingBody, slug=kwargs["body_slug"])


public_feed = login_not_required(require_GET(PublishedResponsesFeed()))
