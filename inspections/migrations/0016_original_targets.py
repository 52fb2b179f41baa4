"""Existing actions' original target is their target today: no earlier change was kept."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    action = apps.get_model("inspections", "AssuranceAction")
    action.objects.filter(original_target_on__isnull=True).update(original_target_on=F("target_on"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0015_meetings_slippage_letterhead_pack_heartbeat")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
