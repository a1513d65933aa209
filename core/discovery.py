from importlib import import_module

from django.apps import apps


def app_modules(name):
    """Each installed app's module `name` (e.g. "selectors", "testing"), where it offers its part of a project-wide
    mechanism without the mechanism importing the app."""
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
