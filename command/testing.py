"""The command centre's rows and routes for the project-wide leak and write walkers (gridcare/tests/test_leaks.py,
test_writes.py). The dashboard's and the map's pages are named by area code, which registry's leak_objects already
offers as `code`; the daily report is a row of its own."""


def leak_objects(person):
    """A daily report of the person's grid (made as the job makes one, files and all): a user outside the grid
    must not open it, its files or its figures."""
    from django.utils import timezone

    from command.reports import build_report

    report, _made = build_report(person.grid, timezone.localdate())
    return {"command:report_id": report.pk}


def write_cases(values):
    """Making a report now, for the community of the walked person's grid (its staff and the street's and the
    district's may; the next community's and the next street's staff are refused), and the map's boundary upload
    naming grid B."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from command.models import DailyReport
    from core.context import system_actor
    from gridcare.tests.writes import WriteCase
    from registry.boundaries import DEMO_DISTRICT_BOX, box_polygon

    with system_actor():
        community = (
            DailyReport.all_objects.select_related("area__parent").get(pk=values["command:report_id"]).area.parent
        )

    def upload():
        feature = {
            "type": "Feature",
            "properties": {"code": values["code"]},
            "geometry": box_polygon(DEMO_DISTRICT_BOX),
        }
        content = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
        return {"file": SimpleUploadedFile("areas.geojson", content, content_type="application/geo+json")}

    return [
        WriteCase(
            "command:reports", reverse("command:reports"), "command.add_dailyreport", data={"area": community.code}
        ),
        WriteCase("command:map_boundaries", reverse("command:map_boundaries"), "registry.change_area", data=upload),
    ]
