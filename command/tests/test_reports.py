"""The daily report (issue 9, part 4): made by the scheduler at DAILY_REPORT_AT for the district, the streets and
the communities, once; its spreadsheet holds the tiles' own figures with yesterday's beside them; its PDF embeds
the CJK font and its Chinese reads back; it is mailed with both files; its pages keep to the user's area and its
downloads are audited."""

import re
import subprocess
from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from openpyxl import load_workbook

from command.models import DailyReport
from command.reports import DASH, build_report, reports_daily
from conftest import PASSWORD
from core.context import system_actor
from core.models import AuditEvent, ScheduledJob
from core.scheduler import job_named, registered_jobs, scheduler_tick
from core.tiles import tiles_all

JOB = "command.daily_reports"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def residents(make_person):
    for grid in ("A", "A", "B", "C", "D"):
        make_person(grid)


def local(day, hour, minute=0, second=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def _sheet_rows(data):
    sheet = load_workbook(BytesIO(data)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _tile_lines(area, day, language):
    """(label, value) of every figure of every tile, asked directly, in report order."""
    lines = []
    with system_actor(), translation.override(language):
        for tile in tiles_all():
            lines.append((str(tile.label), None))
            for f in tile.figures(area, day):
                label = f"{f.label} ({f.unit})" if str(f.unit) else str(f.label)
                lines.append((label, DASH if f.value is None else f.value))
    return lines


def test_the_job_at_the_set_time_makes_one_report_per_district_street_and_community(
    areas, users, residents, time_machine, settings
):
    settings.DAILY_REPORT_AT = "07:00"
    day = timezone.localdate() + timedelta(days=2)
    for job in registered_jobs():  # only the report's job comes due here
        due = local(day, 7) if job.name == JOB else local(day + timedelta(days=30), 0)
        ScheduledJob.objects.create(name=job.name, schedule=job.schedule.key, next_run_at=due)
    assert job_named(JOB).schedule.key == "daily 07:00"

    time_machine.move_to(local(day, 6, 59), tick=False)
    scheduler_tick()
    assert not DailyReport.all_objects.exists()

    time_machine.move_to(local(day, 7, 0, 10), tick=False)
    scheduler_tick()
    made = DailyReport.all_objects.filter(day=day)
    expected = {areas[k].code for k in ("district", "lile", "zhongfu", "xinchuang", "waihai", "yinquan")}
    assert {r.area.code for r in made} == expected  # levels 1–3, no grid
    assert all(r.xlsx and r.pdf and r.created_by is None for r in made)

    time_machine.move_to(local(day, 7, 5), tick=False)
    scheduler_tick()
    assert reports_daily(day) == 0  # run again by hand: nothing new
    assert DailyReport.all_objects.count() == 6
    assert ScheduledJob.objects.get(name=JOB).runs == 1


def test_the_report_is_mailed_with_both_files_to_its_areas_staff(areas, users, residents):
    for name in ("cora", "stella"):
        users[name].email = f"{name}@example.org"
        users[name].save()
    mail.outbox.clear()
    reports_daily(timezone.localdate(), areas=[areas["zhongfu"], areas["xinchuang"]])
    assert len(mail.outbox) == 1  # xinchuang's staff have no address; stella is not zhongfu's
    message = mail.outbox[0]
    assert message.to == ["cora@example.org"]
    assert "中福社区" in message.subject and "日报" in message.subject
    names = sorted(name for name, _content, _type in message.attachments)
    assert names == [f"daily-report-{areas['zhongfu'].code}-{timezone.localdate():%Y%m%d}.{x}" for x in ("pdf", "xlsx")]
    assert all(len(content) > 1000 for _name, content, _type in message.attachments)

    reports_daily(timezone.localdate(), areas=[areas["zhongfu"]])
    assert len(mail.outbox) == 1  # made once, sent once


def test_the_spreadsheet_holds_the_tiles_figures_and_yesterdays(areas, residents):
    area, day = areas["zhongfu"], timezone.localdate()
    yesterday, _ = build_report(area, day - timedelta(days=1), language="en")
    figures = yesterday.figures
    figures["registry.population"]["figures"][0]["value"] = 1  # what yesterday's report said stays what it said
    DailyReport.all_objects.filter(pk=yesterday.pk).update(figures=figures)

    report, made = build_report(area, day, language="en")
    assert made
    rows = _sheet_rows(report.xlsx.read())
    with translation.override("en"):
        assert rows[0][0] == f"Daily report: 中福社区, {formats.date_format(day, 'DATE_FORMAT')}"
    assert rows[2] == ("Figure", "Today", "Yesterday", "Change")
    assert [(label, today) for label, today, *_rest in rows[3:]] == _tile_lines(area, day, "en")
    persons = next(row for row in rows if row[0] == "residents")
    assert persons == ("residents", 3, 1, 2)
    assert len(DailyReport.all_objects.filter(area=area, day=day)) == 1


def test_the_pdf_embeds_the_chinese_font_and_its_title_reads_back(areas, residents, tmp_path):
    report, _ = build_report(areas["zhongfu"], timezone.localdate(), language="zh-hans")
    data = report.pdf.read()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data and re.search(rb"/FontName /[A-Z]{6}\+WenQuanYiMicroHei", data)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "日报：中福社区" in text and "人口" in text and "今日" in text and "昨日" in text


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)


@pytest.fixture
def cleo(areas, django_user_model):
    from accounts.roles import Role

    return django_user_model.objects.create_user(
        "cleo", password=PASSWORD, role=Role.COMMUNITY_STAFF, area=areas["xinchuang"]
    )


def test_staff_make_a_report_for_their_area_and_nobody_else_opens_it(client, areas, users, residents, cleo):
    _login(client, "cora")
    response = client.post(reverse("command:reports"), {"area": areas["zhongfu"].code})
    report = DailyReport.all_objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("command:report", args=[report.pk])
    assert report.created_by == users["cora"] and report.area == areas["zhongfu"]
    page = client.get(reverse("command:report", args=[report.pk])).content.decode()
    assert "中福社区" in page and "居民" in page
    assert client.post(reverse("command:reports"), {"area": areas["xinchuang"].code}).status_code == 404
    assert client.post(reverse("command:reports"), {"area": areas["A"].code}).status_code == 400  # a grid
    listing = client.get(reverse("command:reports")).content.decode()
    assert reverse("command:report", args=[report.pk]) in listing

    client.logout()
    _login(client, "cleo")
    for name in ("command:report", "command:report_xlsx", "command:report_pdf"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert reverse("command:report", args=[report.pk]) not in client.get(reverse("command:reports")).content.decode()
    assert client.post(reverse("command:reports"), {"area": areas["zhongfu"].code}).status_code == 404

    client.logout()
    _login(client, "gwen")
    assert client.post(reverse("command:reports"), {"area": areas["A"].code}).status_code == 403
    assert client.get(reverse("command:reports")).status_code == 403
    assert DailyReport.all_objects.count() == 1


def test_downloads_are_audited(client, areas, users, residents):
    report, _ = build_report(areas["zhongfu"], timezone.localdate())
    _login(client, "stella")
    for kind, start in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(reverse(f"command:report_{kind}", args=[report.pk]))
        assert response.status_code == 200
        assert response.content.startswith(start)
        assert f"daily-report-{areas['zhongfu'].code}" in response["Content-Disposition"]
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT,
        target_type="command.dailyreport",
        target_id=str(report.pk),
        actor=users["stella"],
    )
    assert sorted(e.detail["kind"] for e in events) == ["pdf", "xlsx"]


def test_the_page_speaks_the_readers_language_whatever_the_report_was_written_in(client, areas, users, residents):
    report, _ = build_report(areas["zhongfu"], timezone.localdate(), language="zh-hans")
    _login(client, "cora")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("command:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Population" in page and "Yesterday" in page and "人口" not in page
    response = client.get(reverse("command:report_xlsx", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en")
    rows = _sheet_rows(response.content)  # written for this reader: the stored file is Chinese
    assert rows[0][0].startswith("Daily report: 中福社区") and rows[2] == ("Figure", "Today", "Yesterday", "Change")
    assert _sheet_rows(report.xlsx.read())[2] == ("指标", "今日", "昨日", "变化")
