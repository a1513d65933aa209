"""How a figure reads: `{{ n|wan }}` is 36.5万 in Chinese once it reaches ten thousand (the way a command centre
says it) and 365,000 in English. Below ten thousand it is the language's own grouping (humanize's intcomma):
9,999 in English, 9999 in Chinese (Django's zh_Hans format groups by four with no separator, so a Chinese page
never shows "3,0000"). One rule for every figure of the homes."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language

register = template.Library()

WAN = 10_000


@register.filter
def wan(n):
    if n is None or n == "":
        return ""
    if abs(n) >= WAN and (get_language() or "").startswith("zh"):
        # One decimal, rounded down, so 99,999 never reads as a round 10万 it has not reached.
        tenths = int(n * 10 // WAN)
        whole, tenth = divmod(tenths, 10)
        return f"{intcomma(whole)}{'.' + str(tenth) if tenth else ''}万"
    return intcomma(n)


@register.filter
def percent_of(part, whole):
    """part / whole as a percentage with one decimal, rounded down (a round is never "100%" before it is done);
    "" when there is no whole to divide by."""
    if not whole:
        return ""
    tenths = part * 1000 // whole
    return f"{tenths // 10}.{tenths % 10}%"
