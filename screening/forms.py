from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import Person
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
