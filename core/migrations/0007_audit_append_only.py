"""The audit log is append-only in the database too (PostgreSQL; SQLite relies on the model's refusal, see
core.models.AuditEvent): a trigger refuses UPDATE and DELETE of accounts_auditevent, except

- a DELETE in a transaction that ran `SET LOCAL gridcare.audit_purge = 'on'` (core.audit.audit_rows_delete, the
  retention purge);
- an UPDATE that changes nothing but `actor_id`, from a user to NULL: Django's on_delete=SET_NULL when a user is
  deleted (actor_name keeps who it was).

TRUNCATE fires no row trigger (a test's flush, `manage.py flush`); the table's owner can still drop the trigger: it
guards against our code and casual SQL, not against the database's owner."""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION gridcare_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('gridcare.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
            AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % of accounts_auditevent refused', TG_OP
        USING HINT = 'retention deletes through core.audit.audit_rows_delete';
END;
$$;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION gridcare_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS gridcare_auditevent_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL holds a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0006_export")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "login"),
                    ("login_failed", "failed login"),
                    ("logout", "logout"),
                    ("token_issued", "API token issued"),
                    ("token_revoked", "API token revoked"),
                    ("reveal", "reveal of ID/phone"),
                    ("export", "export"),
                    ("import", "import"),
                    ("create", "create"),
                    ("update", "update"),
                    ("delete", "delete"),
                    ("move", "move"),
                    ("backup", "database backup"),
                    ("restore", "database restore"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
