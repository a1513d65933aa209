import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_import_job_preview'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='persongroup',
            options={'verbose_name': 'special-group tag', 'verbose_name_plural': 'special-group tags'},
        ),
        migrations.AlterModelOptions(
            name='residence',
            options={'ordering': ['-started_at'], 'verbose_name': 'residence', 'verbose_name_plural': 'residences'},
        ),
        migrations.AlterField(
            model_name='importjob',
            name='ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='address'),
        ),
        migrations.AlterField(
            model_name='person',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='person',
            name='id_last4',
            field=models.CharField(db_index=True, editable=False, max_length=4, verbose_name='last 4 of ID number'),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone_last4',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=4, verbose_name='last 4 of phone'),
        ),
        migrations.AlterField(
            model_name='person',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='persongroup',
            name='added_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='added at'),
        ),
        migrations.AlterField(
            model_name='persongroup',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='person_tags', to='registry.specialgroup', verbose_name='group'),
        ),
        migrations.AlterField(
            model_name='persongroup',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_tags', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='residence',
            name='ended_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='ended at'),
        ),
        migrations.AlterField(
            model_name='residence',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='residence',
            name='household',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.household', verbose_name='household'),
        ),
        migrations.AlterField(
            model_name='residence',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='residences', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='residence',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='residence',
            name='started_at',
            field=models.DateTimeField(verbose_name='started at'),
        ),
        migrations.AlterField(
            model_name='specialgroup',
            name='sort',
            field=models.PositiveSmallIntegerField(default=100, verbose_name='sort order'),
        ),
    ]
