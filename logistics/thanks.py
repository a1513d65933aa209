"""The thank-you letter (感谢信) a donor prints from their receipt page: in Chinese whatever the page language (it
is a formal letter from the command centre). reportlab's built-in CID font STSong-Light needs no font file, as the
knock sheet's (screening.sheets)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from screening.sheets import FONT  # registers the CID font once


def thanks_pdf(pledge):
    campaign = pledge.campaign
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=20 * mm,
        bottomMargin=16 * mm,
        title="感谢信",
    )
    title = ParagraphStyle("t", fontName=FONT, fontSize=22, leading=30, alignment=1)
    body = ParagraphStyle("b", fontName=FONT, fontSize=12, leading=20, firstLineIndent=24)
    right = ParagraphStyle("r", fontName=FONT, fontSize=12, leading=20, alignment=2)
    # Paragraph reads markup: the donor's name and the campaign's are escaped (see screening.sheets).
    text = (
        f"感谢您在疫情防控期间慷慨捐赠{escape(campaign.item)}{pledge.quantity}{escape(campaign.unit)}，"
        f"支持“{escape(campaign.name)}”，为一线采样点的工作人员和群众送去关爱。"
        "众志成城，共克时艰，特致谢忱！"
    )
    doc.build(
        [
            Paragraph("感谢信", title),
            Spacer(1, 8 * mm),
            Paragraph(f"{escape(pledge.donor)}：", ParagraphStyle("h", fontName=FONT, fontSize=12, leading=20)),
            Paragraph(text, body),
            Spacer(1, 12 * mm),
            Paragraph("疫情防控指挥部", right),
            Paragraph(timezone.localdate().strftime("%Y年%m月%d日"), right),
            Spacer(1, 6 * mm),
            Paragraph(f"回执 {escape(pledge.receipt[:8])}", ParagraphStyle("s", fontName=FONT, fontSize=8, leading=10)),
        ]
    )
    return buffer.getvalue()
