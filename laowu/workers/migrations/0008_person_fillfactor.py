from django.db import migrations

# Half of each page of the person table is left free, so that a re-import which updates every
# person writes each new version beside the old one (a HOT update: no index entry, and the
# index builds of a bulk import see one version per person). Decision 0066. Rows already stored
# keep their pages until the table is rewritten (VACUUM FULL) or they are updated.


class Migration(migrations.Migration):
    dependencies = [
        ("workers", "0007_id_hash_collation_c"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE workers_person SET (fillfactor = 50)",
            reverse_sql="ALTER TABLE workers_person RESET (fillfactor)",
        ),
    ]
