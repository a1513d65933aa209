from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation


def test_figures_group_by_thousands_in_both_languages():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert intcomma(30000) == "30,000"
            assert intcomma(1234567) == "1,234,567"
