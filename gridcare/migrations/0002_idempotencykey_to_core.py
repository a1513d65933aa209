from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gridcare", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("IdempotencyKey")], database_operations=[]),
    ]
