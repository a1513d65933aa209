"""The audit log partitioned by month on PostgreSQL (core/partitions.py); the append-only trigger of 0007 is made
again on the partitioned table, which gives it to every partition."""

from django.db import migrations

from core.partitions import AUDIT_EVENTS, migration_operation


class Migration(migrations.Migration):
    dependencies = [("core", "0007_audit_append_only")]

    operations = [migration_operation(AUDIT_EVENTS)]
