"""screening.NoticeAck's rows move to notices.NoticeAck (notices 0002), then the old table goes (screening 0006)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("screening", "0005_verbose_names_translated"), ("notices", "0001_initial")]
AFTER = [("screening", "0006_noticeack_from_screening"), ("notices", "0002_noticeack_from_screening")]


@pytest.mark.django_db(transaction=True)
def test_rows_are_copied_and_back_again(areas, make_person):
    person = make_person("A")
    at = datetime(2022, 9, 5, 9, 30, tzinfo=timezone.get_default_timezone())
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    campaign = old_apps.get_model("screening", "Campaign")._base_manager.create(name="迁移测试")
    round_ = old_apps.get_model("screening", "Round")._base_manager.create(
        campaign=campaign, number=1, starts_at=at, ends_at=at + timedelta(hours=12)
    )
    old = old_apps.get_model("screening", "NoticeAck")
    old._base_manager.create(round_id=round_.pk, person_id=person.pk, grid_id=person.grid_id)
    old._base_manager.filter(person_id=person.pk).update(acknowledged_at=at)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("notices", "NoticeAck")
    copied = new._base_manager.get()
    assert (copied.round_id, copied.person_id, copied.grid_id, copied.acknowledged_at) == (
        round_.pk,
        person.pk,
        person.grid_id,
        at,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps.get_model("screening", "NoticeAck")._base_manager.get()
    assert (back.person_id, back.acknowledged_at) == (person.pk, at)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
