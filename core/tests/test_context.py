"""The scope fails closed: where no actor was set, nobody acts and nothing is seen or changed."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from accounts.services import actor_for
from core.access import NotInScope, require, writes
from core.context import NOBODY, acting_as, current_actor, system_actor
from registry.models import ImportJob, Person


@writes("registry.change_person")
def rename(person, name):
    Person.all_objects.filter(pk=person.pk).update(name=name)


def test_outside_any_actor_nothing_is_seen(make_person):
    make_person("A")
    with acting_as(NOBODY):
        assert Person.objects.count() == 0
        with pytest.raises(PermissionDenied):
            require("registry.view_person")
    with system_actor():
        assert Person.objects.count() == 1


def test_a_thread_starts_as_nobody(make_person):
    make_person("A")
    seen = {}

    def look():
        seen["actor"] = current_actor()
        seen["count"] = Person.objects.count()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen["actor"] is NOBODY and seen["count"] == 0


def test_a_queryset_built_without_an_actor_stays_empty(make_person):
    make_person("A")
    with acting_as(NOBODY):
        early = Person.objects.all()  # as if built at import time
    assert list(early) == []


def test_writes_checks_the_permission_and_the_area_of_every_argument(users, make_person):
    person = make_person("B", name="原名")
    with acting_as(actor_for(users["gwen"])), pytest.raises(NotInScope):
        rename(person, "改名")
    with acting_as(actor_for(users["mia"])), pytest.raises(PermissionDenied):
        rename(person, "改名")
    with acting_as(NOBODY), pytest.raises(PermissionDenied):
        rename(person, "改名")
    assert Person.all_objects.get(pk=person.pk).name == "原名"
    with acting_as(actor_for(users["greg"])):
        rename(person, "改名")
    assert Person.all_objects.get(pk=person.pk).name == "改名"


def test_an_import_whose_uploader_was_deleted_touches_nothing(users, areas, make_person):
    from registry.importing import import_job_run
    from registry.testing import synthetic_id_number

    csv = f"姓名,身份证号,网格\n孤儿任务,{synthetic_id_number(777)},{areas['D'].code}\n"
    job = ImportJob.all_objects.create(
        file=ContentFile(csv.encode(), name="orphan.csv"),
        filename="orphan.csv",
        user=users["cora"],
        area=areas["zhongfu"],
    )
    users["cora"].delete()  # the job's user is set to NULL
    import_job_run(job.pk)
    assert not Person.all_objects.filter(name="孤儿任务").exists()
    job.refresh_from_db()
    assert job.result.get("created", 0) == 0
