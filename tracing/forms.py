from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from care.models import RequestKind
from registry.identity import IdentityError, parse_phone, parse_ric
from registry.models import Area, Compound, Person
from tracing.models import AntigenTest, ArrivalReport, Contact, Control, Division, Venue

# --- venues ---


class VenueForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("type"), choices=Venue.Kind.choices)
    area = forms.ModelChoiceField(Area.objects.none(), label=_("area"))
    compound = forms.ModelChoiceField(Compound.objects.none(), label=_("compound"), required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the user's scope covers (the scoped managers read the request's area).
        self.fields["area"].queryset = Area.objects.order_by("code")
        self.fields["compound"].queryset = Compound.objects.select_related("community").order_by("name")


class VenueEditForm(VenueForm):
    active = forms.BooleanField(label=_("active"), required=False)


class VenueFilterForm(forms.Form):
    area = forms.ModelChoiceField(Area.objects.none(), label=_("area"), required=False)
    kind = forms.ChoiceField(label=_("type"), choices=[("", _("all types")), *Venue.Kind.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("code")


class ScanForm(forms.Form):
    """Who is at the venue: their personal registration code, or their ID number and phone."""

    person_code = forms.CharField(label=_("your registration code"), max_length=80, required=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()

    def clean_phone(self):
        try:
            return parse_phone(self.cleaned_data["phone"])
        except IdentityError as exc:
            raise ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if data.get("person_code") or self.errors:
            return data
        if not data.get("id_number"):
            self.add_error("id_number", _("enter your ID number, or scan your registration code"))
        if not data.get("phone"):
            self.add_error("phone", _("enter the phone number you registered with"))
        return data


# --- arrivals ---


class OriginFields(forms.Form):
    """From where, by the national division codes: province, then city, then district (htmx fills each list from
    the one above; without script the province alone is accepted)."""

    province = forms.ChoiceField(label=_("coming from: province"))
    city = forms.ChoiceField(label=_("city"), required=False)
    district = forms.ChoiceField(label=_("district or county"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["province"].choices = blank + list(
            Division.objects.filter(parent__isnull=True).order_by("code").values_list("code", "name")
        )
        for name, parent_name in (("city", "province"), ("district", "city")):
            parent = self.data.get(self.add_prefix(parent_name)) if self.is_bound else None
            options = Division.objects.filter(parent__code=parent).order_by("code") if parent else []
            self.fields[name].choices = blank + [(d.code, d.name) for d in options]
        from django.urls import reverse

        url = reverse("tracing:division_options")
        self.fields["province"].widget.attrs.update({"hx-get": url, "hx-target": "#id_city", "hx-trigger": "change"})
        self.fields["city"].widget.attrs.update({"hx-get": url, "hx-target": "#id_district", "hx-trigger": "change"})

    def clean(self):
        data = super().clean()
        code = data.get("district") or data.get("city") or data.get("province")
        data["origin"] = Division.objects.filter(code=code).first() if code else None
        if code and data["origin"] is None:
            self.add_error("province", _("unknown division"))
        return data


class ArrivalForm(OriginFields):
    name = forms.CharField(label=_("name"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    arrived_at = forms.DateTimeField(
        label=_("arrived (or arriving) at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    transport = forms.ChoiceField(label=_("how"), choices=ArrivalReport.Transport.choices)
    transport_number = forms.CharField(label=_("train, flight or plate number"), max_length=20, required=False)
    address = forms.CharField(label=_("address here"), max_length=200)
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    field_order = ["name", "id_number", "phone", "province", "city", "district", "arrived_at", "transport"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrived_at"].initial = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)

    # The numbers are checked here too, so one answer names every bad field (the service checks them again).
    def clean_id_number(self):
        try:
            return parse_ric(self.cleaned_data["id_number"])[0]
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_phone(self):
        try:
            return parse_phone(self.cleaned_data["phone"])
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None


class PublicArrivalForm(ArrivalForm):
    """The self-report: phone first, and the community the person is staying in."""

    community = forms.ModelChoiceField(Area.objects.none(), label=_("community or village you are staying in"))
    field_order = [
        "phone",
        "name",
        "id_number",
        "province",
        "city",
        "district",
        "arrived_at",
        "transport",
        "transport_number",
        "community",
        "address",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Area.all_objects.filter(level=Area.Level.COMMUNITY).order_by("code")


class WorkerArrivalForm(ArrivalForm):
    grid = forms.ModelChoiceField(Area.objects.none(), label=_("grid"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Area.objects.filter(level=Area.Level.GRID).order_by("code")


class ResolveForm(forms.Form):
    person_id = forms.IntegerField(label=_("person (register number)"), widget=forms.HiddenInput)


class AntigenForm(forms.Form):
    result = forms.ChoiceField(label=_("antigen result"), choices=AntigenTest.Result.choices)


class MemberForm(forms.Form):
    id_number = forms.CharField(label=_("ID number of the person"), max_length=20)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("inspected on"), widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(
        label=_("findings"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_due = forms.DateField(
        label=_("follow-up due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- cases ---


def _date(label, required=False):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


class CaseOpenForm(forms.Form):
    """What the tracer asks the case: when symptoms began, or that there were none."""

    onset_on = _date(_("onset"))
    asymptomatic = forms.BooleanField(label=_("asymptomatic"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("asymptomatic"):
            data["onset_on"] = None
        elif not data.get("onset_on") and not self.errors:
            self.add_error("onset_on", _("Enter the onset date or tick asymptomatic."))
        return data


class CaseForm(CaseOpenForm):
    """A case entered by hand: a person of the register (found by the search above the form) and the dates."""

    person = forms.ModelChoiceField(Person.objects.none(), label=_("person"), widget=forms.RadioSelect)
    sampled_on = _date(_("sampled on"), required=True)
    field_order = ["person", "sampled_on", "onset_on", "asymptomatic"]

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons
        self.fields["person"].label_from_instance = lambda p: f"{p.name} {p.masked_id_number} · {p.grid.name}"


class ContactForm(forms.Form):
    """A contact added by hand: the ID number the case gave, how they met, and for a secondary contact the close
    contact they were traced through."""

    id_number = forms.CharField(label=_("ID number"), max_length=30)
    relation = forms.ChoiceField(
        label=_("relation to the case"), choices=[c for c in Contact.Relation.choices if c[0] != Contact.Relation.VENUE]
    )
    through = forms.ModelChoiceField(
        Contact.objects.none(),
        label=_("through close contact"),
        required=False,
        help_text=_("Only for a secondary contact."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["through"].queryset = Contact.objects.filter(
            case=case, kind=Contact.Kind.CLOSE, status=Contact.Status.CONFIRMED
        ).select_related("person")
        self.fields["through"].label_from_instance = lambda c: f"{c.person.name} {c.person.masked_id_number}"

    def clean_id_number(self):
        try:
            number = parse_ric(self.cleaned_data["id_number"])[0]
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None
        person = Person.objects.filter(id_type=Person.IdType.RESIDENT_ID, id_number=number).first()
        if person is None:
            raise forms.ValidationError(_("No person with this ID number in the register."))
        return person


# --- control ---


class ControlForm(forms.Form):
    """A control of one target: a compound, or an area (a grid, a community, a street). A building comes from the
    page's ?building= (a select of every building of a district would be thousands long)."""

    level = forms.ChoiceField(choices=Control.Level.choices, label=_("level"), widget=forms.RadioSelect)
    compound = forms.ModelChoiceField(Compound.objects.none(), label=_("compound"), required=False)
    area = forms.ModelChoiceField(Area.objects.none(), label=_("area under control"), required=False)
    starts_at = forms.DateTimeField(
        label=_("starts"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("planned end"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, building=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.order_by("name")
        self.fields["area"].queryset = Area.objects.filter(level__gte=Area.Level.STREET).order_by("code")
        if building is not None:
            del self.fields["compound"], self.fields["area"]


class ControlLiftForm(forms.Form):
    reason = forms.CharField(label=_("why it is lifted"), max_length=200)


class ControlNeedForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(RequestKind.SUPPLIES, _("food and daily supplies")), (RequestKind.MEDICAL, _("medicine"))],
        label=_("need"),
    )
    description = forms.CharField(label=_("what is needed"), max_length=300)
