# Figures as mainland offices write them: 30,000 (three-digit groups, a comma), not Django's default of 4-digit
# groups with no separator ("3,0000" under intcomma). Large figures may also be shown as 3万 (the `wan` filter).
# Dates keep Django's zh_Hans formats.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
