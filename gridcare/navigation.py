"""The menu. Each app lists its entries on its AppConfig (`nav = [(url_name, label, permission)]`, the permission
a name, a function of the user, or None); the menu shows those the user may use, so adding an app never means
editing the base template. The back office, the project's own, comes last for the roles that may open it."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import totp_enabled, totp_step_owed

BACK_OFFICE = ("admin:index", _("Back office"), lambda user: user.is_back_office)
# The user's own account page: where they turn on two-step verification, so only while STAFF_TOTP is on.
ACCOUNT = ("account", _("My account"), lambda user: totp_enabled())


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or totp_step_owed(request):  # no menu before the code step
        return {"nav_items": []}
    entries = [entry for config in apps.get_app_configs() for entry in getattr(config, "nav", ())]
    items = []
    for url_name, label, perm in [*entries, ACCOUNT, BACK_OFFICE]:
        if not _may_use(user, perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": False})
    _mark_current(items, request.path)
    return {"nav_items": items}


def _may_use(user, perm):
    if perm is None:
        return True
    return perm(user) if callable(perm) else user.has_perm(perm)


def _mark_current(items, path):
    """The entry whose address is the longest start of the page's (/care/today/ is "today", not the ledger's /care/)."""
    matching = [item for item in items if path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
