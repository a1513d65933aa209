"""Synthetic identities for tests and the demo: valid check digits, never a real person's number."""

from datetime import date, timedelta

from stdnum.cn import ric

DEFAULT_PREFIX = "440704"


def synthetic_id_number(n, birth=date(1980, 1, 1), prefix=DEFAULT_PREFIX, female=None):
    """The n-th synthetic resident ID for a birth date: sequence digits from n, a valid check digit."""
    birth = birth + timedelta(days=(n // 500) % 3650)
    seq = n % 500 * 2 + (0 if female is None else (0 if female else 1))
    body = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def leak_objects(person):
    """URL kwargs naming the register's objects of `person`, for the route-walking leak test
    (gridcare/tests/test_leaks.py): each app's testing.py may offer one for its own objects. A key
    "namespace:kwarg" applies to that URL namespace only (for generic names such as `pk`)."""
    from django.core.files.base import ContentFile

    from registry.models import ImportJob

    job = ImportJob.all_objects.create(
        file=ContentFile(f"姓名,身份证号\n{person.name},{person.id_number}\n".encode(), name="leak.csv"),
        filename=f"{person.name}.csv",
        area=person.grid,
        status=ImportJob.Status.DONE,
        rows_total=1,
        rows_done=1,
        result={"created": 1, "errors": [{"row": 2, "column": "name", "message": person.name}]},
    )
    return {
        "imports:pk": job.pk,
        "person_id": person.pk,
        "building_id": person.household.building_id,
        "household_id": person.household_id,
        "code": person.grid.code,
        "area_code": person.grid.code,
        "grid_code": person.grid.code,
        "compound_id": person.household.building.compound_id,
        "import_job_id": _import_job_naming(person).pk,
    }


def _import_job_naming(person):
    """An import, by the person's grid, whose file and error report carry the person's row."""
    from django.core.files.base import ContentFile

    from registry.models import ImportJob

    row = f"姓名,身份证号,手机,网格\n{person.name},{person.id_number},{person.phone},{person.grid.code}\n"
    error = {"row": 2, "column": "身份证号", "message": "registered in another area"}
    return ImportJob.all_objects.create(
        file=ContentFile(row.encode(), name="leak.csv"),
        filename="leak.csv",
        area=person.grid,
        status=ImportJob.Status.DONE,
        result={"created": 0, "updated": 0, "unchanged": 0, "rejected": 1, "errors": [error]},
    )


def _import_job_previewed(grid_code):
    """An upload in grid B waiting for its "Import" (its uploader gone, so starting it refuses every row)."""
    from django.core.files.base import ContentFile

    from registry.models import Area, ImportJob

    return ImportJob.all_objects.create(
        file=ContentFile(
            f"姓名,身份证号,网格\n新来的,{synthetic_id_number(90_002)},{grid_code}\n".encode(), name="w.csv"
        ),
        filename="w.csv",
        area=Area.all_objects.get(code=grid_code),
        status=ImportJob.Status.PREVIEW,
        rows_total=1,
    )


def _person_erasable(grid_code):
    from registry.models import Area
    from registry.services import person_create

    return person_create(
        grid=Area.all_objects.get(code=grid_code), name="可删除的人", id_number=synthetic_id_number(90_003)
    )


def write_cases(values):
    """The register's write routes, for the project-wide write walker (gridcare/tests/test_writes.py)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase

    person = values["person_id"]
    preview = _import_job_previewed(values["grid_code"]).pk
    csv = "姓名,身份证号,手机,网格\n新来的,{},13900001111,{}\n".format(synthetic_id_number(90_001), values["grid_code"])
    return [
        WriteCase(
            "registry:person_reveal",
            reverse("registry:person_reveal", args=[person]),
            "registry.reveal_identity",
            data={"reason": "核对身份"},
        ),
        WriteCase("registry:person_call", reverse("registry:person_call", args=[person]), "registry.call_person"),
        # A subject-access export changes nothing but the audit log, which records it.
        WriteCase(
            "registry:person_data_export",
            reverse("registry:person_data_export", args=[person]),
            "registry.export_person_data",
        ),
        # The walked person has a trail in every app (a case, a pending sample…) that refuses erasure: a newcomer
        # of the same grid has none.
        WriteCase(
            "registry:person_erase",
            reverse("registry:person_erase", args=[_person_erasable(values["grid_code"]).pk]),
            "registry.erase_person",
            data={"reason": "本人申请删除", "confirm": "yes"},
        ),
        # An upload writes a job in the uploader's own area; which rows it may touch is the importer's check
        # (registry/tests/test_importing.py), so only the permission is walked here.
        WriteCase(
            "imports:upload",
            reverse("imports:upload"),
            "registry.import_residents",
            area="own",
            data=lambda: {"file": SimpleUploadedFile("residents.csv", csv.encode())},
        ),
        WriteCase("imports:start", reverse("imports:start", args=[preview]), "registry.import_residents"),
        WriteCase("imports:cancel", reverse("imports:cancel", args=[preview]), "registry.import_residents"),
    ]
