from django.db import migrations

# Defaults a district can change in the admin: every seeded group phoned weekly, daily in an emergency; a
# three-step risk scale.
RISK_LEVELS = [(1, "低"), (2, "中"), (3, "高")]


def seed(apps, schema_editor):
    SpecialGroup = apps.get_model("registry", "SpecialGroup")
    ContactPlan = apps.get_model("care", "ContactPlan")
    RiskLevel = apps.get_model("care", "RiskLevel")
    for group in SpecialGroup.objects.all():
        ContactPlan.objects.get_or_create(group=group, defaults={"normal_days": 7, "emergency_days": 1})
    for rank, name in RISK_LEVELS:
        RiskLevel.objects.get_or_create(rank=rank, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("registry", "0002_special_groups_and_search")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
