from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class GridcareConfig(AppConfig):
    default = True  # the app's own config, among the two below
    name = "gridcare"
    verbose_name = _("gridcare")


# Two installed apps name themselves in plain English in the back office; these configs give them our names, in
# the user's language (their other strings: gridcare/third_party_strings.py).
class TaskResultsConfig(TasksAppConfig):
    verbose_name = _("background tasks")


class LockoutsConfig(AxesConfig):
    verbose_name = _("login lock-outs")
