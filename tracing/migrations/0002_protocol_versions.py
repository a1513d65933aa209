"""The two protocol editions of 2022 (DOMAIN.md): the 9th edition, in force in September 2022, and the November 2022
edition. A district edits them or adds its own in the back office."""

from django.db import migrations

EDITIONS = [
    {
        "code": "9th-2022-06",
        "name": "第九版防控方案",
        "name_en": "9th edition (June 2022)",
        "close_central_days": 7,
        "close_central_test_days": [1, 2, 3, 5, 7],
        "close_home_days": 3,
        "close_home_test_days": [3],
        "secondary_home_days": 7,
        "secondary_test_days": [1, 4, 7],
    },
    {
        "code": "2022-11",
        "name": "二十条优化措施（2022年11月）",
        "name_en": "November 2022 measures",
        "close_central_days": 5,
        "close_central_test_days": [1, 2, 3, 5],
        "close_home_days": 3,
        "close_home_test_days": [3],
        "secondary_home_days": 0,
        "secondary_test_days": [],
    },
]


def add_editions(apps, schema_editor):
    ProtocolVersion = apps.get_model("tracing", "ProtocolVersion")
    TracingSettings = apps.get_model("tracing", "TracingSettings")
    for edition in EDITIONS:
        ProtocolVersion.objects.update_or_create(code=edition["code"], defaults=edition)
    ninth = ProtocolVersion.objects.get(code="9th-2022-06")
    TracingSettings.objects.update_or_create(pk=1, defaults={"protocol": ninth})


class Migration(migrations.Migration):
    dependencies = [("tracing", "0001_initial")]
    operations = [migrations.RunPython(add_editions, migrations.RunPython.noop)]
