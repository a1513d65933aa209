from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("AuditEvent")], database_operations=[]),
    ]
