from django.apps import AppConfig


class GridcareConfig(AppConfig):
    name = "gridcare"
    verbose_name = "gridcare"
