"""The menu. Each app lists its entries on its AppConfig (`nav = [(url_name, label, permission or None)]`); the
menu shows those the user may use, so adding an app never means editing the base template."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for url_name, label, perm in getattr(config, "nav", ()):
            if perm and not user.has_perm(perm):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"url": url, "label": label, "current": _is_current(request.path, url)})
    return {"nav_items": items}


def _is_current(path, url):
    return path == url or (url != "/" and path.startswith(url))
