"""Creates the database cache's table (settings.CACHES) with the schema, so `migrate`, `make demo` and every test
database have it: the limits (core.limits) and the login lock-out count in it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    from django.conf import settings

    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith("DatabaseCache"):
            table = schema_editor.connection.ops.quote_name(cache["LOCATION"])
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotency_owner")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
