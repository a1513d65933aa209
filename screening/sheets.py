"""The knock list on paper (扫楼敲门登记表): one line per person, grouped by door, with empty boxes for the outcome,
so a grid worker without a charged phone can still sweep a building and enter the outcomes later. reportlab's
built-in CJK font STSong-Light needs no font file."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def knock_sheet_pdf(*, title, subtitle, header, rows):
    """rows: [(door, name, masked id, last outcome)], already in walking order; the door is printed once."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    styles = {
        "title": ParagraphStyle("t", fontName=FONT, fontSize=15, leading=20),
        "sub": ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12, textColor=colors.grey),
    }
    data = [list(header)]
    previous = None
    for door, name, masked_id, outcome in rows:
        data.append([door if door != previous else "", name, masked_id, outcome, ""])
        previous = door
    table = Table(data, colWidths=[38 * mm, 26 * mm, 42 * mm, 28 * mm, 52 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#fafafa")]),
                ("TOPPADDING", (0, 1), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
            ]
        )
    )
    # Paragraph reads its text as markup: a campaign named "<b>x" breaks it and <img src="/path"> would embed a
    # server file, so user text is escaped (table cells are plain strings, drawn as they are).
    doc.build([Paragraph(escape(title), styles["title"]), Paragraph(escape(subtitle), styles["sub"]), table])
    return buffer.getvalue()
