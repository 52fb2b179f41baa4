"""Public pages: a body's published responses, as pages and as an Atom feed, without
signing in. Only what the body has published appears: never a draft, an unpublished
chief officer's comment, internal dates or notes, or anything OFFICIAL-SENSITIVE."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..models import PUBLISHED_STATUSES, Marking, PolicingBody, Response, ResponseEntry
from .common import paginate

LIST = "public/list.html"
DETAIL = "public/response.html"
FEED_SIZE = 50
SUMMARY_LENGTH = 500


def published_responses(body: PolicingBody) -> QuerySet[Response]:
    """The body's responses the public may read, newest publication first."""
    return (
        Response.objects.filter(
            body=body,
            report__body=body,
            status__in=PUBLISHED_STATUSES,
            marking=Marking.OFFICIAL,
            report__marking=Marking.OFFICIAL,
        )
        .select_related("report", "body")
        .order_by(F("published_on").desc(nulls_last=True), "-pk")
    )


def published_response(body: PolicingBody, pk: int) -> Response:
    """One published response with its entries, or 404: unpublished, sensitive and
    another body's responses are not found, whether or not they exist."""
    entries = ResponseEntry.objects.select_related("finding").order_by("finding__position", "pk")
    try:
        return published_responses(body).prefetch_related(Prefetch("entries", entries)).get(pk=pk)
    except Response.DoesNotExist:
        raise Http404("No such published response.") from None


def _public(context: dict[str, Any]) -> dict[str, Any]:
    # The same page for everyone: no navigation and nothing from a signed-in session.
    return context | {"user": AnonymousUser(), "membership": None}


@login_not_required
@require_GET
def public_list(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = get_object_or_404(PolicingBody, slug=body_slug)
    page = paginate(request, published_responses(body))
    return render(request, LIST, _public({"body": body, "page": page}))


@login_not_required
@require_GET
def public_response(request: HttpRequest, body_slug: str, pk: int) -> HttpResponse:
    body = get_object_or_404(PolicingBody, slug=body_slug)
    response = published_response(body, pk)
    context = {
        "body": body,
        "response": response,
        "report": response.report,
        "entries": list(response.entries.all()),
    }
    return render(request, DETAIL, _public(context))


class PlainSummaryAtom1Feed(Atom1Feed):
    """Atom 1.0 with each entry's summary as plain text, not HTML."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item | {"description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def _updated(response: Response) -> dt.datetime:
    if response.published_on is None:
        return response.updated_at
    return timezone.make_aware(dt.datetime.combine(response.published_on, dt.time()))


class PublishedResponsesFeed(Feed[Response, PolicingBody]):
    feed_type = PlainSummaryAtom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> PolicingBody:
        return get_object_or_404(PolicingBody, slug=kwargs["body_slug"])

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

    def items(self, obj: PolicingBody) -> QuerySet[Response]:
        return published_responses(obj)[:FEED_SIZE]

    def item_title(self, item: Response) -> str:
        return item.report.title_with_month

    def item_link(self, item: Response) -> str:
        return reverse("public_response", args=[item.body.slug, item.pk])

    def item_description(self, item: Response) -> str:
        return Truncator(item.comments).chars(SUMMARY_LENGTH)

    def item_pubdate(self, item: Response) -> dt.datetime:
        return _updated(item)

    def item_updateddate(self, item: Response) -> dt.datetime:
        return _updated(item)


public_feed = login_not_required(require_GET(PublishedResponsesFeed()))
