"""The register's job: uploaded import files are deleted after IMPORT_FILE_DAYS; the job, its counts and errors stay."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from core.models import AuditEvent
from registry.importing import import_files_delete
from registry.models import ImportJob


def ago(**delta):
    return timezone.now() - timedelta(**delta)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def test_import_files_older_than_the_setting_are_deleted_and_the_job_stays(users, media, settings, client):
    settings.RETENTION_DAYS_BY_KIND = {**settings.RETENTION_DAYS_BY_KIND, "registry.import_files": 30}
    dana = users["dana"]

    def job(name, age_days):
        row = ImportJob.all_objects.create(
            file=ContentFile(b"name,id_number\n", name=name),
            filename=name,
            user=dana,
            area=dana.area,
            status=ImportJob.Status.DONE,
            result={
                "created": 3,
                "updated": 0,
                "unchanged": 0,
                "rejected": 1,
                "errors": [{"row": 2, "column": "id_number", "message": "bad"}],
            },
        )
        ImportJob.all_objects.filter(pk=row.pk).update(created_at=ago(days=age_days))
        return row

    old, new = job("old.csv", 31), job("new.csv", 29)
    old_path, new_path = media / old.file.name, media / new.file.name
    assert old_path.exists() and new_path.exists()

    assert import_files_delete() == 1
    old.refresh_from_db()
    assert not old_path.exists() and new_path.exists()
    assert old.file.name == "" and old.result["created"] == 3 and old.filename == "old.csv"
    audit = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, target_id=str(old.pk))
    assert audit.target_type == "registry.importjob" and "old.csv" in audit.summary
    assert import_files_delete() == 0  # safe to run again

    client.login(username="dana", password=PASSWORD)
    page = client.get(reverse("imports:job", args=[old.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "The uploaded file has been deleted" in page.content.decode()
    assert client.get(reverse("imports:errors", args=[old.pk])).status_code == 404
