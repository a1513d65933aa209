import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0005_verbose_names_translated'),
        ('screening', '0004_site_medics_and_corrections'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='noticeack',
            options={'verbose_name': 'notice acknowledgement', 'verbose_name_plural': 'notice acknowledgements'},
        ),
        migrations.AlterModelOptions(
            name='traceentry',
            options={'ordering': ['-created_at'], 'verbose_name': 'person to trace', 'verbose_name_plural': 'persons to trace'},
        ),
        migrations.AlterField(
            model_name='alert',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='acknowledged at'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='acknowledged_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acknowledged by'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='area',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='area'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='tube',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='screening.tube', verbose_name='tube'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='exclusion',
            name='campaign',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exclusions', to='screening.campaign', verbose_name='campaign'),
        ),
        migrations.AlterField(
            model_name='exclusion',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='exclusion',
            name='created_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='exclusion',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='exclusion',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='exclusion',
            name='round',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='exclusions', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='resample',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='screening.sample', verbose_name='re-sampling request'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holds', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='tube',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holds', to='screening.tube', verbose_name='tube'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, verbose_name='updated at'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='done_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='done at'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='household',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.household', verbose_name='household'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='home_requests', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='sample',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='screening.sample', verbose_name='sample'),
        ),
        migrations.AlterField(
            model_name='homesamplingrequest',
            name='team',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='requests', to='screening.homesamplingteam', verbose_name='team'),
        ),
        migrations.AlterField(
            model_name='homesamplingteam',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='home_teams', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='knockoutcome',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='knockoutcome',
            name='household',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.household', verbose_name='household'),
        ),
        migrations.AlterField(
            model_name='knockoutcome',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='knockoutcome',
            name='recorded_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='recorded at'),
        ),
        migrations.AlterField(
            model_name='knockoutcome',
            name='recorded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AlterField(
            model_name='knockoutcome',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='knock_outcomes', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='noticeack',
            name='acknowledged_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='acknowledged at'),
        ),
        migrations.AlterField(
            model_name='noticeack',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='noticeack',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='noticeack',
            name='recorded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AlterField(
            model_name='noticeack',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='poolingrule',
            name='campaign',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pooling_rules', to='screening.campaign', verbose_name='campaign'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='household',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.household', verbose_name='household'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='is_repeat',
            field=models.BooleanField(default=False, verbose_name='repeat sample'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='samples', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='result',
            field=models.CharField(choices=[('pending', 'pending'), ('negative', 'negative'), ('positive', 'positive'), ('invalid', 'invalid, re-sample')], default='pending', max_length=10, verbose_name='result'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='sampled_at',
            field=models.DateTimeField(verbose_name='sampled at'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='tube',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='samples', to='screening.tube', verbose_name='tube'),
        ),
        migrations.AlterField(
            model_name='traceentry',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='traceentry',
            name='grid',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.area', verbose_name='grid'),
        ),
        migrations.AlterField(
            model_name='traceentry',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.person', verbose_name='person'),
        ),
        migrations.AlterField(
            model_name='traceentry',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='screening.round', verbose_name='round'),
        ),
        migrations.AlterField(
            model_name='traceentry',
            name='tube',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='screening.tube', verbose_name='tube'),
        ),
        migrations.AlterField(
            model_name='tube',
            name='received_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='received at'),
        ),
        migrations.AlterField(
            model_name='tube',
            name='registered_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registered by'),
        ),
        migrations.AlterField(
            model_name='tube',
            name='result_received_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='result received at'),
        ),
    ]
