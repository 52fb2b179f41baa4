from __future__ import annotations

from django.db import migrations
from django.db.models import Count


def number_findings_in_order(apps, schema_editor):
    """Before one finding per position is enforced: where findings of a report share a
    position (two added at the same moment), number that report's findings 0, 1, 2... in
    their current order (position, then the order they were added)."""
    Finding = apps.get_model("inspections", "Finding")
    shared = (
        Finding.objects.values("report_id", "position")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("report_id", flat=True)
    )
    for report_id in set(shared):
        findings = Finding.objects.filter(report_id=report_id).order_by("position", "pk")
        for position, pk in enumerate(list(findings.values_list("pk", flat=True))):
            Finding.objects.filter(pk=pk).update(position=position)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0009_chief_comments_always_published")]
    operations = [migrations.RunPython(number_findings_in_order, migrations.RunPython.noop)]
