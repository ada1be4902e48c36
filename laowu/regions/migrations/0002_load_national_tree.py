"""Load the national division tree (provinces to townships) shipped in laowu/regions/data."""

from django.db import migrations


def load(apps, schema_editor):
    from laowu.regions.services import regions_load_national

    regions_load_national()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
