from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from accounts.models import User
from accounts.roles import Role
from registry.models import Area, Person
from screening.models import KnockOutcome


class KnockForm(forms.Form):
    """One tap at a door: the outcome, for one person of the household or (no person) for the whole door."""

    outcome = forms.ChoiceField(choices=KnockOutcome.Outcome.choices)
    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    where = forms.CharField(max_length=100, required=False, label=_("where"))
    until = forms.DateField(required=False, label=_("until"))
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(household=household)


class HomeTeamForm(forms.Form):
    """A home-sampling team: a medic and a grid worker serving an area of the user's subtree."""

    name = forms.CharField(max_length=60, label=_("name"))
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("area"))
    medic = StaffChoiceField(queryset=User.objects.none(), label=_("medic"))
    grid_worker = StaffChoiceField(queryset=User.objects.none(), required=False, label=_("grid worker"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.filter(level__gte=Area.Level.STREET).order_by("code")
        self.fields["area"].queryset = areas
        self.fields["medic"].queryset = User.objects.filter(role=Role.MEDIC, is_active=True).order_by(
            "area__code", "username"
        )
        self.fields["grid_worker"].queryset = User.objects.filter(
            role=Role.GRID_WORKER, is_active=True, area__in=areas
        ).order_by("area__code", "username")
