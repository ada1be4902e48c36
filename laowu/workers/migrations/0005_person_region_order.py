"""The ledger pages' default order as an index (village, then id), built without blocking
writes on a registry that is already large."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("regions", "0002_load_national_tree"),
        ("workers", "0004_bulk_history"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="person",
            index=models.Index(fields=["region", "id"], name="person_region_order"),
        ),
    ]
