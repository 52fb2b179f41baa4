"""Placeholder until the actions views land."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponseNotFound()


action_list = action_create = action_detail = action_edit = update_add = _todo
evidence_add = evidence_download = finding_picker = finding_link = finding_unlink = _todo
