"""Samples partitioned by round on PostgreSQL (core/partitions.py, docs/DECISIONS.md "Samples partitioned by
round"). The foreign keys into them lose their database constraint first: here, and TestObligation.sample in
tracing 0007."""

import django.db.models.deletion
from django.db import migrations, models

from core.partitions import SAMPLES, migration_operation


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0008_site_location'),
        ('tracing', '0007_partitioned_visits'),
    ]

    operations = [
        migrations.AlterField(
            model_name='hold',
            name='resample',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='screening.sample', verbose_name='re-sampling request'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='sample',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='screening.sample', verbose_name='sample'),
        ),
        migration_operation(SAMPLES),
    ]
