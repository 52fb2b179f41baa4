"""The dashboard's filters (report type, inspectorate, period of publication), shared by
the dashboard and every list its figures open, so a figure and its list always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import AssuranceAction, InspectionReport, Inspectorate, PolicingBody, ReportType

SCOPE_PARAMS = ("type", "inspectorate", "published_from", "published_to")


@dataclass(frozen=True)
class Scope:
    report_type: str = ""
    inspectorate: Inspectorate | None = None
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    @classmethod
    def from_cleaned(cls, cleaned: dict[str, Any]) -> Scope:
        return cls(
            report_type=cleaned.get("type") or "",
            inspectorate=cleaned.get("inspectorate"),
            published_from=cleaned.get("published_from"),
            published_to=cleaned.get("published_to"),
        )

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Scope:
        """From stored raw values (a board pack's filters). A value that no longer holds
        (an inspectorate removed since) is an error, not silently dropped: the pack would
        cover more than was asked for."""
        wrong = []
        report_type = params.get("type") or ""
        if report_type and report_type not in ReportType.values:
            wrong.append("type")
        inspectorate = None
        if code := params.get("inspectorate"):
            inspectorate = Inspectorate.objects.filter(code=code).first()
            if inspectorate is None:
                wrong.append("inspectorate")
        dates: dict[str, dt.date | None] = {}
        for name in ("published_from", "published_to"):
            try:
                dates[name] = dt.date.fromisoformat(params[name]) if params.get(name) else None
            except ValueError:
                wrong.append(name)
        if wrong:
            raise ValueError(f"The filters are no longer valid ({', '.join(sorted(wrong))}).")
        return cls(report_type, inspectorate, dates["published_from"], dates["published_to"])

    def __bool__(self) -> bool:
        return bool(
            self.report_type or self.inspectorate or self.published_from or self.published_to
        )

    def report_ids(self, body: PolicingBody) -> QuerySet[InspectionReport, Any]:
        """The body's reports in scope, as a subquery of ids."""
        reports = InspectionReport.objects.filter(body=body)
        if self.report_type:
            reports = reports.filter(report_type=self.report_type)
        if self.inspectorate:
            reports = reports.filter(
                Q(lead_inspectorate=self.inspectorate) | Q(partner_inspectorates=self.inspectorate)
            )
        if self.published_from:
            reports = reports.filter(published_on__gte=self.published_from)
        if self.published_to:
            reports = reports.filter(published_on__lte=self.published_to)
        return reports.values("pk")

    def by_report[QS: QuerySet[Any, Any]](self, queryset: QS, body: PolicingBody) -> QS:
        """Responses, findings or anything else with a `report` foreign key."""
        return queryset.filter(report_id__in=self.report_ids(body)) if self else queryset

    def actions[QS: QuerySet[AssuranceAction, Any]](self, queryset: QS, body: PolicingBody) -> QS:
        """Actions serving a finding, or the response, of a report in scope."""
        if not self:
            return queryset
        return queryset.filter(serving_reports(self.report_ids(body)))

    def params(self) -> dict[str, str]:
        """As query parameters, for links to the lists."""
        values = {
            "type": self.report_type,
            "inspectorate": self.inspectorate.code if self.inspectorate else "",
            "published_from": self.published_from.isoformat() if self.published_from else "",
            "published_to": self.published_to.isoformat() if self.published_to else "",
        }
        return {k: v for k, v in values.items() if v}


def serving_reports(report_ids: Any) -> Q:
    """Actions serving a finding, or the response, of these reports: the one home of "an
    action of a report". `report_ids` is a list or subquery of ids, or an `OuterRef` to
    a report's id from a query of reports."""
    if isinstance(report_ids, OuterRef):
        # One level deeper inside the links' subquery.
        in_links, direct = (
            {"finding__report_id": OuterRef(report_ids)},
            {"response__report_id": report_ids},
        )
    else:
        in_links, direct = (
            {"finding__report_id__in": report_ids},
            {"response__report_id__in": report_ids},
        )
    links = AssuranceAction.findings.through.objects.filter(
        assuranceaction_id=OuterRef("pk"), **in_links
    )
    return Q(Exists(links)) | Q(**direct)
