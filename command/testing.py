"""Daily report rows for a person, for the project-wide leak and write walkers."""


def leak_objects(person):
    """A daily report of the person's grid (made as the job makes one, files and all): a user outside the grid
    must not open it, its files or its figures."""
    from django.utils import timezone

    from command.reports import build_report

    report, _made = build_report(person.grid, timezone.localdate())
    return {"command:report_id": report.pk}


def write_cases(values):
    """Making a report now, for the community of the walked person's grid: its staff and the street's and the
    district's may; the next community's and the next street's staff are refused (not in their area)."""
    from django.urls import reverse

    from command.models import DailyReport
    from core.context import system_actor
    from gridcare.tests.writes import WriteCase

    with system_actor():
        community = (
            DailyReport.all_objects.select_related("area__parent").get(pk=values["command:report_id"]).area.parent
        )
    return [
        WriteCase(
            "command:reports", reverse("command:reports"), "command.add_dailyreport", data={"area": community.code}
        )
    ]
