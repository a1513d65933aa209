from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.identity import IdentityError, parse_phone, parse_ric
from registry.models import Area
from volunteers.models import Errand, Volunteer, VolunteerRole


def _parsed(parse, raw):
    """The register's parsers, so a field's error shows beside it with the others."""
    try:
        return parse(raw)
    except IdentityError as exc:
        raise forms.ValidationError(exc.args[0]) from None


class SignUpForm(forms.Form):
    kind = forms.ChoiceField(choices=Volunteer.Kind.choices, label=_("I am"), initial=Volunteer.Kind.VOLUNTEER)
    name = forms.CharField(label=_("your name"), max_length=60)
    phone = forms.CharField(label=_("your phone"), max_length=20)
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    community = forms.ModelChoiceField(Area.objects.none(), label=_("home community"))
    work_unit = forms.CharField(label=_("work unit (cadres reporting in)"), max_length=100, required=False)
    roles = forms.MultipleChoiceField(
        choices=VolunteerRole.choices, label=_("what you can do"), widget=forms.CheckboxSelectMultiple
    )
    dialects = forms.CharField(label=_("dialects"), max_length=100, required=False)
    vehicle = forms.CharField(label=_("vehicle"), max_length=60, required=False)
    availability = forms.CharField(label=_("when you are free"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Area.all_objects.filter(level=Area.Level.COMMUNITY).order_by("code")

    def clean_phone(self):
        return _parsed(parse_phone, self.cleaned_data["phone"])

    def clean_id_number(self):
        return _parsed(parse_ric, self.cleaned_data["id_number"])[0]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Volunteer.Kind.REPORT_IN and not data.get("work_unit"):
            self.add_error("work_unit", _("cadres reporting in must give their work unit"))
        return data


class PublicErrandForm(forms.Form):
    grid = forms.ModelChoiceField(Area.objects.none(), label=_("your grid"))
    kind = forms.ChoiceField(choices=Errand.Kind.choices, label=_("what do you need"))
    items = forms.CharField(label=_("what to buy"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    recipient_name = forms.CharField(label=_("your name"), max_length=60)
    phone = forms.CharField(label=_("your phone"), max_length=20)
    address = forms.CharField(label=_("building and room"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Area.all_objects.filter(level=Area.Level.GRID).order_by("code")

    def clean_phone(self):
        return _parsed(parse_phone, self.cleaned_data["phone"])


class ErrandForm(PublicErrandForm):
    source = forms.ChoiceField(
        choices=[
            (Errand.Source.GRID_WORKER, Errand.Source.GRID_WORKER.label),
            (Errand.Source.FOLLOW_UP, Errand.Source.FOLLOW_UP.label),
        ],
        label=_("source"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Area.objects.filter(level=Area.Level.GRID).order_by("code")
        self.fields["recipient_name"].label = _("recipient")
        self.fields["phone"].label = _("contact phone")
        self.fields["grid"].label = _("grid")


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(Volunteer.objects.none(), label=_("volunteer"))
    role = forms.ChoiceField(choices=VolunteerRole.choices, label=pgettext_lazy("volunteer", "role"))
    hours = forms.IntegerField(label=_("hours"), min_value=1, max_value=12, initial=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.filter(verified_at__isnull=False)


class DeliverForm(forms.Form):
    code = forms.CharField(label=_("hand-off code from the resident"), max_length=4)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=8, decimal_places=2, min_value=0, required=False)
    paid_by = forms.ChoiceField(choices=Errand.PaidBy.choices, label=_("paid by"))
