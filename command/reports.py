"""The daily report (日报): the day's figures of every tile (core.tiles) for a district, street or community, with
the day before's beside them, stored with an .xlsx and a PDF, listed on /command/reports/ and mailed to the area's
staff by the job command.daily_reports.

The figures are the tiles' own, taken as the system (a report belongs to its area, not to whoever asked: all its
readers see the same numbers). Yesterday's come from the stored report of the day before when there is one — what
was reported stays what it was — else from the tiles asked for `day - 1` (a tile's states are "as they are now",
so those may differ from what a report made yesterday would have said). The PDF embeds a TrueType CJK font
(settings.REPORT_FONT), so it reads the same on a phone without Chinese fonts."""

import logging
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from command.models import DailyReport
from core.context import system_actor
from core.tiles import counting, tiles_all

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
REPORT_LEVELS = (1, 2, 3)  # district, street, community
FONT_NAME = "WenQuanYiMicroHei"
DASH = "—"


def snapshot(area, day, language=None):
    """{tile key: {"label", "labels", "figures": [{"key", "label", "labels", "value", "unit", "units"}]}} of every
    tile for `area` on `day`, as the system. `label`/`unit` are the words of `language` (the active one by
    default); `labels`/`units` hold them in every language of LANGUAGES, so a page in English shows an English
    report whatever language it was written in. The tiles count once: their words are lazy translations."""
    language = language or translation.get_language()
    with system_actor(), counting():
        counted = [(tile, tile.figures(area, day)) for tile in tiles_all()]
    return {
        tile.key: {
            **_in_languages(tile.label, language, "label"),
            "figures": [
                {"key": f.key, **_in_languages(f.label, language, "label"), "value": f.value}
                | _in_languages(f.unit, language, "unit")
                for f in figures
            ],
        }
        for tile, figures in counted
    }


def _in_languages(text, language, field):
    """{field: text in `language`, field + "s": {code: text in each language}}"""
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = str(text)
    return {field: words.get(language, str(text)), field + "s": words}


def _word(entry, field, language):
    return entry.get(field + "s", {}).get(language, entry[field]) if language else entry[field]


def change(today, yesterday):
    """today − yesterday, or None when either is not a number."""
    if not isinstance(today, int | float) or not isinstance(yesterday, int | float):
        return None
    if isinstance(today, bool) or isinstance(yesterday, bool):
        return None
    difference = today - yesterday
    return round(difference, 1) if isinstance(difference, float) else difference


def rows(report, language=None):
    """[(tile label, [(figure label with unit, today, yesterday, change)])] in the report's order, in `language`
    (the report's own by default)."""
    language = language or report.language
    out = []
    for key, tile in report.figures.items():
        before = {f["key"]: f["value"] for f in report.yesterday.get(key, {}).get("figures", [])}
        lines = []
        for f in tile["figures"]:
            label, unit = _word(f, "label", language), _word(f, "unit", language)
            previous = before.get(f["key"])
            lines.append((f"{label} ({unit})" if unit else label, f["value"], previous, change(f["value"], previous)))
        out.append((_word(tile, "label", language), lines))
    return out


def rows_shown(report, language=None):
    """rows() as the page shows them: "—" for nothing, the change signed."""
    return [
        (
            tile_label,
            [
                (label, _shown(today), _shown(yesterday), _signed(difference))
                for label, today, yesterday, difference in lines
            ],
        )
        for tile_label, lines in rows(report, language)
    ]


def title(report, language=None):
    with translation.override(language or report.language):
        return _("Daily report: %(area)s, %(day)s") % {
            "area": report.area.name,
            "day": formats.date_format(report.day, "DATE_FORMAT"),
        }


def file_in(report, kind, language):
    """The bytes of the report's `kind` ("xlsx" or "pdf") in `language`: the stored file when it is the
    report's own language, else written afresh from the figures (kept in every language) for that reader."""
    if language == report.language:
        with getattr(report, kind).open("rb") as file:
            return file.read()
    return (xlsx_bytes if kind == "xlsx" else pdf_bytes)(report, language)


def filename(report, extension):
    return f"daily-report-{report.area.code}-{report.day:%Y%m%d}.{extension}"


def _headers():
    return [
        _("Figure"),
        pgettext("daily report", "Today"),
        pgettext("daily report", "Yesterday"),
        pgettext("daily report", "Change"),
    ]


def _shown(value):
    return DASH if value is None else value


def _signed(value):
    if value is None:
        return DASH
    return f"+{value}" if value > 0 else str(value)


def xlsx_bytes(report, language=None):
    """The report as .xlsx, in `language` (the report's own by default)."""
    language = language or report.language
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(language):
        book = Workbook()
        sheet = book.active
        sheet.title = str(report.day)
        sheet.append([title(report, language)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(
            [_("Made at %(time)s") % {"time": timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M")}]
        )
        sheet.append(_headers())
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for tile_label, lines in rows(report, language):
            sheet.append([tile_label])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            for label, today, yesterday, difference in lines:
                sheet.append([label, _shown(today), _shown(yesterday), _shown(difference)])
        sheet.column_dimensions["A"].width = 32
        for column in "BCD":
            sheet.column_dimensions[column].width = 12
        buffer = BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, settings.REPORT_FONT, subfontIndex=0))
    return FONT_NAME


def pdf_bytes(report, language=None):
    """The report as a PDF, in `language` (the report's own by default)."""
    language = language or report.language
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=12, textColor=colors.grey)
    with translation.override(language):
        made = _("Made at %(time)s") % {"time": timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M")}
        data = [_headers()]
        styles = [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 10),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for tile_label, lines in rows(report, language):
            styles += [
                ("SPAN", (0, len(data)), (-1, len(data))),
                ("BACKGROUND", (0, len(data)), (-1, len(data)), colors.HexColor("#e8eef5")),
            ]
            data.append([tile_label, "", "", ""])
            for label, today, yesterday, difference in lines:
                data.append([label, str(_shown(today)), str(_shown(yesterday)), _signed(difference)])
        table = Table(data, colWidths=[80 * mm, 30 * mm, 30 * mm, 30 * mm], repeatRows=1)
        table.setStyle(TableStyle(styles))
        buffer = BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=title(report, language),
            author="gridcare",
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
        )
        document.build([Paragraph(title(report, language), heading), Paragraph(made, small), Spacer(1, 6 * mm), table])
    return buffer.getvalue()


def _yesterday(area, day, language):
    before = DailyReport.all_objects.filter(area=area, day=day - timedelta(days=1)).first()
    if before is not None:
        return before.figures
    return snapshot(area, day - timedelta(days=1), language)


def build_report(area, day, *, by=None, language=None, fresh=False):
    """The report of `area` on `day`: made (figures, yesterday's, both files) if there is none yet, else the stored
    one — remade from the tiles' figures now when `fresh` (someone asked for it again). Returns (report, made)."""
    language = language or settings.LANGUAGE_CODE
    with system_actor(), translation.override(language):
        report = DailyReport.all_objects.filter(area=area, day=day).first()
        if report is not None and not fresh:
            return report, False
        figures = snapshot(area, day, language)
        yesterday = _yesterday(area, day, language)
        with transaction.atomic():
            if report is None:
                try:
                    with transaction.atomic():
                        report = DailyReport.all_objects.create(
                            area=area, day=day, created_by=by, figures=figures, yesterday=yesterday, language=language
                        )
                except IntegrityError:  # another run made it meanwhile
                    return DailyReport.all_objects.get(area=area, day=day), False
            else:
                report.figures, report.yesterday, report.language = figures, yesterday, language
                report.created_at, report.created_by = timezone.now(), by
            for field, extension, write in (("xlsx", "xlsx", xlsx_bytes), ("pdf", "pdf", pdf_bytes)):
                old = getattr(report, field)
                if old:
                    old.delete(save=False)
                old.save(filename(report, extension), ContentFile(write(report)), save=False)
            report.save()
    return report, True


def recipients(report):
    """The e-mail addresses of the active staff of the report's own area whose role is in DAILY_REPORT_ROLES."""
    users = (
        get_user_model()
        .objects.filter(area=report.area, role__in=settings.DAILY_REPORT_ROLES, is_active=True)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def report_mail(report):
    """Mails the report with its two files to its area's staff; returns how many were written to."""
    to = recipients(report)
    if not to:
        return 0
    with translation.override(report.language):
        message = EmailMessage(
            subject=title(report),
            body=_("The daily report is attached as a spreadsheet and as a PDF.") + "\n",
            to=to,
        )
        for field, extension, mimetype in (("xlsx", "xlsx", XLSX), ("pdf", "pdf", PDF)):
            with getattr(report, field).open("rb") as file:
                message.attach(filename(report, extension), file.read(), mimetype)
        message.send()
    return len(to)


def reports_daily(day=None, areas=None):
    """The job: today's report of every district, street and community that has none yet, each mailed once.
    Returns how many were made."""
    from registry.selectors import areas_down_to

    day = day or timezone.localdate()
    made = 0
    with system_actor():
        areas = areas if areas is not None else areas_down_to(max(REPORT_LEVELS))
        for area in areas:
            if area.level not in REPORT_LEVELS:
                continue
            try:
                report, new = build_report(area, day)
                if new:
                    made += 1
                    report_mail(report)
            except Exception:  # noqa: BLE001 (one area's failure does not stop the others' reports)
                logger.exception("daily report of %s failed", area.code)
    return made
