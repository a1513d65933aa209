"""screening.NoticeAck moved to notices.NoticeAck (its rows copied by notices 0002 first)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0005_verbose_names_translated'),
        ('notices', '0002_noticeack_from_screening'),  # the rows are copied there first
    ]

    operations = [
        migrations.DeleteModel(
            name='NoticeAck',
        ),
    ]
