"""The care ledger's numbers for the command centre (core.tiles): follow-ups done on the day, open and overdue help
requests, ledger persons not reached for N days; by child area too."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from care import selectors
from care.models import FollowUp
from core.tiles import Figure, Tile, roll_up, words
from registry.models import Area


def _followups(area, day):
    return FollowUp.objects.filter(at__date=day, grid__code__startswith=area.code)


def care_figures(area, day):
    requests = reverse("care:requests")
    days = selectors.unreached_days()
    overdue = sum(selectors.help_requests_by_area(area, overdue=True).values())
    unreached = sum(selectors.unreached_by_grid(area, day, days).values())
    return [
        Figure("followups", _("follow-ups done"), _followups(area, day).count()),
        Figure(
            "requests_open",
            _("open help requests"),
            sum(selectors.help_requests_by_area(area).values()),
            url=f"{requests}?area={area.code}",
        ),
        Figure(
            "requests_overdue",
            _("help requests past their deadline"),
            overdue,
            url=f"{requests}?view=overdue&area={area.code}",
            alert=overdue > 0,
        ),
        Figure(
            "unreached",
            words(_("ledger persons not reached for %(days)s days"), days=days),
            unreached,
            url=f"{reverse('care:supervision')}?area={area.code}",
            alert=unreached > 0,
        ),
    ]


def care_by_child(area, day):
    if area.level == Area.Level.GRID:
        return {}
    length = Area.CODE_LENGTH[area.level + 1]
    followups = roll_up(_followups(area, day).values_list("grid__code").annotate(n=Count("pk")).order_by(), length)
    columns = {
        "followups": followups,
        "requests_open": roll_up(selectors.help_requests_by_area(area).items(), length),
        "requests_overdue": roll_up(selectors.help_requests_by_area(area, overdue=True).items(), length),
        "unreached": roll_up(selectors.unreached_by_grid(area, day).items(), length),
    }
    children = Area.objects.filter(parent=area).values_list("code", flat=True)
    return {code: {key: counts.get(code, 0) for key, counts in columns.items()} for code in children}


TILES = [
    Tile(
        "care.ledger",
        _("Care"),
        "care.view_helprequest",
        care_figures,
        by_child=care_by_child,
        order=30,
        map_keys=("requests_overdue", "unreached"),
    )
]
