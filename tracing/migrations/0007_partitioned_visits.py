"""Visits (and gate entries) partitioned by day on PostgreSQL (core/partitions.py). The foreign keys into them
(and into screening's samples, partitioned by screening 0009) stay Django's, without a database constraint: one into
a partitioned table would need a unique key holding the partition key."""

import django.db.models.deletion
from django.db import migrations, models

from core.partitions import VENUE_VISITS, migration_operation


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0008_site_location"),
        ("tracing", "0006_merge_0003_control_0005_merge_20261202_1420"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="venue_visit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="tracing.venuevisit",
                verbose_name="visit",
            ),
        ),
        migrations.AlterField(
            model_name="entryalert",
            name="visit",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alert",
                to="tracing.venuevisit",
                verbose_name="entry",
            ),
        ),
        migrations.AlterField(
            model_name="testobligation",
            name="sample",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="screening.sample",
                verbose_name="sample",
            ),
        ),
        migration_operation(VENUE_VISITS),
    ]
