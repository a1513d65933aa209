from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_scheduled_job'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='idempotencykey',
            options={'verbose_name': 'stored answer', 'verbose_name_plural': 'stored answers'},
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='body_hash',
            field=models.CharField(max_length=64, verbose_name='body hash'),
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='key',
            field=models.CharField(max_length=100, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='owner',
            field=models.CharField(default='', max_length=40, verbose_name='owner'),
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='response',
            field=models.JSONField(verbose_name='response'),
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='scope',
            field=models.CharField(max_length=40, verbose_name='scope'),
        ),
        migrations.AlterField(
            model_name='idempotencykey',
            name='status',
            field=models.PositiveSmallIntegerField(verbose_name='status'),
        ),
    ]
