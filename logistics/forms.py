import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.models import MoneyDonation


class PledgeForm(forms.Form):
    donor = forms.CharField(label=_("your name or organisation"), max_length=80)
    phone = forms.CharField(
        label=_("contact phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=100_000)
    deliver_on = forms.DateField(label=_("day you can deliver"), widget=forms.DateInput(attrs={"type": "date"}))
    deliver_at = forms.TimeField(label=_("time you can deliver"), widget=forms.TimeInput(attrs={"type": "time"}))
    may_name = forms.BooleanField(label=_("you may name me on the public list"), required=False)
    # A double tap or a retried post sends the same key: it pledges once (core.idempotency).
    client_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean_phone(self):
        from registry.identity import IdentityError, parse_phone

        try:
            return parse_phone(self.cleaned_data["phone"])
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_deliver_on(self):
        from logistics.selectors import campaign_days

        day = self.cleaned_data["deliver_on"]
        days = campaign_days(self.campaign)
        if day > days[-1]:
            raise forms.ValidationError(
                _("Please choose a day up to %(last)s, the last day of deliveries.") % {"last": days[-1].isoformat()}
            )
        return day


class MoneyForm(forms.Form):
    payer = forms.CharField(label=_("payer"), max_length=80)
    amount = forms.DecimalField(label=_("amount (yuan)"), min_value=0.01, max_digits=11, decimal_places=2)
    channel = forms.ChoiceField(label=_("channel"), choices=MoneyDonation.Channel.choices)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=40)


class ReceiveForm(forms.Form):
    received_quantity = forms.IntegerField(label=_("received"), min_value=0)


class StockUseForm(forms.Form):
    site = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("handed out"), min_value=1, max_value=100_000)
