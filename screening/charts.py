"""Small inline SVG charts drawn on the server: no chart library, nothing fetched, readable on a phone and printable.
Every text is escaped; the numbers are also in a table beside each chart for screen readers and for copying."""

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PAD = 360, 180, 28


def _scale(value, top, span):
    return span - (value / top * span if top else 0)


def bar_chart(bars, *, unit=""):
    """bars: [(label, value)] → horizontal bars, label on the left and the value at the bar's end (long Chinese
    site names stay readable on a narrow screen)."""
    if not bars:
        return ""
    top = max(v for _, v in bars) or 1
    row, label_width = 24, 120
    span = WIDTH - label_width - 44
    parts = [
        format_html(
            '<text x="{}" y="{}" class="lbl end">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar"/>'
            '<text x="{}" y="{}" class="val start">{}{}</text>',
            label_width - 6,
            i * row + 16,
            label,
            label_width,
            i * row + 4,
            round(value / top * span, 1),
            row - 8,
            round(label_width + value / top * span + 4, 1),
            i * row + 16,
            value,
            unit,
        )
        for i, (label, value) in enumerate(bars)
    ]
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" preserveAspectRatio="xMidYMid meet">{}</svg>',
        WIDTH,
        len(bars) * row + 4,
        format_html_join("", "{}", ((p,) for p in parts)),
    )


def line_chart(points, *, top=None, unit=""):
    """points: [(label, value)] in time order → a line with dots; `top` fixes the y scale (100 for percent)."""
    if not points:
        return ""
    top = top or max(v for _, v in points) or 1
    span = HEIGHT - 2 * PAD
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    xy = [(round(PAD + i * step, 1), round(PAD + _scale(v, top, span), 1)) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x},{y}" for x, y in xy)
    first, last = points[0], points[-1]
    return _svg(
        format_html(
            '<polyline points="{}" class="line"/>{}'
            '<text x="{}" y="{}" class="lbl">{}</text><text x="{}" y="{}" class="lbl end">{}</text>'
            '<text x="{}" y="{}" class="val end">{}{}</text>',
            path,
            format_html_join("", '<circle cx="{}" cy="{}" r="3" class="dot"/>', xy),
            PAD,
            HEIGHT - 8,
            first[0],
            xy[-1][0],
            HEIGHT - 8,
            last[0],
            xy[-1][0],
            round(xy[-1][1] - 6, 1),
            last[1],
            unit,
        )
    )


def _svg(inner):
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" preserveAspectRatio="xMidYMid meet">'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>{}</svg>',
        WIDTH,
        HEIGHT,
        PAD,
        HEIGHT - PAD,
        WIDTH - 4,
        HEIGHT - PAD,
        inner,
    )
