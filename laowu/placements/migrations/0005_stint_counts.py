"""Fill the stint counters on people (workers 0003) from the stints already recorded."""

from django.db import migrations

FILL = """
UPDATE workers_person p
SET stint_count = s.n, early_return_count = s.early
FROM (
    SELECT person_id, count(*) AS n,
           count(*) FILTER (WHERE end_date IS NOT NULL AND end_date < start_date + 90) AS early
    FROM placements_stint GROUP BY person_id
) s
WHERE s.person_id = p.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0004_one_open_application_per_order"),
        ("workers", "0003_matching_columns"),
    ]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
