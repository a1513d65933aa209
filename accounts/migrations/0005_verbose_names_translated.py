import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_role_lab'),
    ]

    operations = [
        migrations.AlterField(
            model_name='apitoken',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='key_hash',
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name='key hash'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='last_used_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used at'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='password_fingerprint',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='password fingerprint'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='revoked at'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
    ]
