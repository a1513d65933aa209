from django.db import migrations

SPECIAL_GROUPS = [
    ("elderly_alone", "独居老人", "elderly living alone", 10),
    ("left_behind_child", "留守儿童", "left-behind child", 20),
    ("pregnant", "孕产妇", "pregnant or postpartum woman", 30),
    ("mental_disorder", "精神障碍患者", "severe mental disorder", 40),
    ("mobility_impaired", "行动不便", "mobility-impaired", 50),
    ("hardship", "困难群众", "hardship household", 60),
]


def seed_groups(apps, schema_editor):
    SpecialGroup = apps.get_model("registry", "SpecialGroup")
    for code, name, name_en, sort in SPECIAL_GROUPS:
        SpecialGroup.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort": sort})


def trigram_indexes(apps, schema_editor):
    """Substring search on names and addresses: trigram GIN indexes on PostgreSQL (SQLite uses the B-tree
    indexes and the pinyin-initials column)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_person_name_trgm ON registry_person USING gin (name gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_building_address_trgm "
        "ON registry_building USING gin (address gin_trgm_ops)"
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registry_person_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS registry_building_address_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(seed_groups, migrations.RunPython.noop),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
