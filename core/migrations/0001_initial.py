# The audit log (from accounts) and idempotency keys (from gridcare) move to the ground floor: their tables stay,
# only Django's idea of which app owns them changes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("gridcare", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("scope", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=100)),
                        ("body_hash", models.CharField(max_length=64)),
                        ("status", models.PositiveSmallIntegerField()),
                        ("response", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "gridcare_idempotencykey",
                        "constraints": [models.UniqueConstraint(fields=("scope", "key"), name="idempotencykey_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                        ("actor_name", models.CharField(blank=True, db_index=True, max_length=150, verbose_name="username")),
                        ("action", models.CharField(db_index=True, max_length=20, verbose_name="action")),
                        ("target_type", models.CharField(blank=True, max_length=40, verbose_name="object type")),
                        ("target_id", models.CharField(blank=True, max_length=40, verbose_name="object id")),
                        ("summary", models.CharField(blank=True, max_length=200, verbose_name="summary")),
                        ("detail", models.JSONField(blank=True, default=dict, verbose_name="detail")),
                        ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="address")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_auditevent",
                        "ordering": ["-at"],
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit log",
                        "indexes": [models.Index(fields=["target_type", "target_id"], name="accounts_au_target__6d660f_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
