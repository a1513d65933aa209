import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The seeded scale of 0002, named in English too; a level the district renamed keeps its names.
RISK_NAMES_EN = [(1, "低", "low"), (2, "中", "medium"), (3, "高", "high")]


def name_risk_levels_in_english(apps, schema_editor):
    RiskLevel = apps.get_model("care", "RiskLevel")
    for rank, name, name_en in RISK_NAMES_EN:
        RiskLevel.objects.filter(rank=rank, name=name, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0005_receipt_longer'),
        ('registry', '0005_verbose_names_translated'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='medicinedelivery',
            options={'ordering': ['-delivered_on'], 'verbose_name': 'medicine delivery', 'verbose_name_plural': 'medicine deliveries'},
        ),
        migrations.AlterModelOptions(
            name='requestevent',
            options={'ordering': ['at', 'id'], 'verbose_name': 'request step', 'verbose_name_plural': 'request steps'},
        ),
        migrations.AddField(
            model_name='risklevel',
            name='name_en',
            field=models.CharField(blank=True, max_length=60, verbose_name='English name'),
        ),
        migrations.AlterField(
            model_name='followup',
            name='task',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='followups', to='care.followuptask', verbose_name='follow-up task'),
        ),
        migrations.AlterField(
            model_name='followuptask',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='helprequest',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='medicinedelivery',
            name='delivered_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='delivered by'),
        ),
        migrations.AlterField(
            model_name='medicinedelivery',
            name='delivered_on',
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name='delivered on'),
        ),
        migrations.AlterField(
            model_name='medicinedelivery',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='medicinedelivery',
            name='schedule',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='care.medicineschedule', verbose_name='schedule'),
        ),
        migrations.AlterField(
            model_name='medicineschedule',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='pairing',
            name='assigned_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned by'),
        ),
        migrations.AlterField(
            model_name='pairing',
            name='ended_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='ended at'),
        ),
        migrations.AlterField(
            model_name='pairing',
            name='started_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='started at'),
        ),
        migrations.AlterField(
            model_name='relief',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='action',
            field=models.CharField(choices=[('received', 'received'), ('assign', 'assigned'), ('start', 'started'), ('resolve', 'resolved'), ('confirm', 'confirmed with the requester'), ('reopen', 'reopened'), ('escalate', 'escalated'), ('moved', 'moved with the person')], max_length=20, verbose_name='step'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='area',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='area'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='at'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='by_name',
            field=models.CharField(blank=True, max_length=150, verbose_name='by (name)'),
        ),
        migrations.AlterField(
            model_name='requestevent',
            name='request',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='care.helprequest', verbose_name='request'),
        ),
        migrations.AlterField(
            model_name='spotcheck',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='at'),
        ),
        migrations.AlterField(
            model_name='spotcheck',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='spotcheck',
            name='supervisor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='supervisor'),
        ),
        migrations.RunPython(name_risk_levels_in_english, migrations.RunPython.noop),
    ]
