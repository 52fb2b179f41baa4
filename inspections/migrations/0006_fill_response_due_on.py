from __future__ import annotations

import datetime as dt

from django.db import migrations

# Frozen copies of the rules as they were when this migration was written: migrations must
# not import live code that may change (docs/domain.md#the-statutory-clock).
LAST_DAY = dt.timedelta(days=55)
NO_CLOCK = {"fire"}


def fill_due_on(apps, schema_editor):
    Response = apps.get_model("inspections", "Response")
    for response in Response.objects.select_related("report").iterator():
        report = response.report
        due = None if report.report_type in NO_CLOCK else report.published_on + LAST_DAY
        Response.objects.filter(pk=response.pk).update(due_on=due)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_response_due_on")]
    operations = [migrations.RunPython(fill_due_on, migrations.RunPython.noop)]
