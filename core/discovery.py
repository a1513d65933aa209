from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings


def app_modules(name):
    """Each installed app's module `name` (e.g. "selectors", "testing"), where it offers its part of a project-wide
    mechanism without the mechanism importing the app."""
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise


def project_app_labels():
    """The labels of this project's own apps (not Django's or a library's), in INSTALLED_APPS order: what the
    project-wide checks (translations, one language per page) walk, so a new app is checked without being listed."""
    root, venv = Path(settings.BASE_DIR), Path(settings.BASE_DIR) / ".venv"
    return [
        c.label
        for c in apps.get_app_configs()
        if Path(c.path).is_relative_to(root) and not Path(c.path).is_relative_to(venv)
    ]
