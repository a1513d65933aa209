from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffChoiceField
from care.models import FollowUp, HelpRequest, Need, Relief, RequestKind, RiskLevel
from registry.models import Area, SpecialGroup


class SurveyForm(forms.Form):
    """摸排: what a grid worker records at the door."""

    group = forms.ModelChoiceField(SpecialGroup.objects.all(), label=_("special group"))
    since = forms.DateField(label=_("since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    risk_level = forms.ModelChoiceField(RiskLevel.objects.all(), label=_("risk level"), required=False)
    needs = forms.MultipleChoiceField(
        choices=Need.choices, label=_("needs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    needs_note = forms.CharField(label=_("other needs"), max_length=200, required=False)
    guardian_name = forms.CharField(label=_("guardian / emergency contact"), max_length=60, required=False)
    guardian_relation = forms.CharField(label=_("relation"), max_length=20, required=False)
    guardian_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)


class PairForm(forms.Form):
    worker = StaffChoiceField(None, label=_("responsible worker"))
    backup = StaffChoiceField(None, label=_("back-up"), required=False)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["backup"].queryset = workers


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(choices=FollowUp.Outcome.choices, label=_("outcome"))
    kind = forms.ChoiceField(choices=FollowUp.Kind.choices, label=_("kind"), initial=FollowUp.Kind.CALL)
    need_kind = forms.ChoiceField(choices=RequestKind.choices, label=_("type of need"), required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class SpotCheckForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        choices=[("1", _("yes, the person confirmed the contact")), ("0", _("no, the person did not confirm"))],
        coerce=lambda v: v == "1",
        label=_("result"),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class HelpRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=RequestKind.choices, label=_("type"))
    channel = forms.ChoiceField(
        choices=[c for c in HelpRequest.Channel.choices if c[0] != HelpRequest.Channel.PUBLIC], label=_("channel")
    )
    area = forms.ModelChoiceField(Area.objects.none(), label=_("community or grid"))
    requester_name = forms.CharField(label=_("requester"), max_length=60)
    requester_phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    description = forms.CharField(label=_("what is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    hospital = forms.CharField(label=_("hospital"), max_length=80, required=False)
    department = forms.CharField(label=_("department"), max_length=60, required=False)
    transport = forms.ChoiceField(choices=HelpRequest.Transport.choices, label=_("transport or escort"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so that the scoped manager reads the acting user's area.
        self.fields["area"].queryset = Area.objects.filter(level__gte=3)


class PublicRequestForm(forms.Form):
    community = forms.ModelChoiceField(Area.objects.none(), label=_("your community or village"))
    kind = forms.ChoiceField(choices=RequestKind.choices, label=_("what do you need"))
    requester_name = forms.CharField(label=_("your name"), max_length=60)
    requester_phone = forms.CharField(label=_("your phone"), max_length=20)
    description = forms.CharField(
        label=_("describe the need"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Area.all_objects.filter(level=Area.Level.COMMUNITY).order_by("code")


class PublicStatusForm(forms.Form):
    receipt = forms.CharField(label=_("receipt number"), max_length=24)
    phone_last4 = forms.CharField(
        label=_("last 4 digits of the phone you gave"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )


class RequestStepForm(forms.Form):
    step = forms.ChoiceField(choices=[(s, s) for s in ("assign", "start", "resolve", "confirm", "reopen")])
    assigned_to = StaffChoiceField(None, required=False, label=_("assign to"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    result = forms.CharField(label=_("result"), max_length=300, required=False)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = workers


class ReliefForm(forms.Form):
    request_receipt = forms.CharField(label=_("request receipt number"), max_length=24, required=False)
    person_id = forms.IntegerField(label=_("ledger person (number)"), required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Relief.Kind.choices, label=_("kind"))
    item = forms.CharField(label=_("what"), max_length=80)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=10, decimal_places=2, required=False, min_value=0)
    quantity = forms.IntegerField(label=_("quantity"), required=False, min_value=0)


class ReliefDeliverForm(forms.Form):
    signed_by = forms.CharField(label=_("signed for by"), max_length=60)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
