from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notices.models import Channel, Notice, NoticeTemplate, template_placeholders_check
from registry.models import Area, SpecialGroup


def _control_label(control):
    target = control.building or control.compound or control.area
    return f"{target} · {control.get_level_display()}"


class SendForm(forms.Form):
    area = forms.ModelChoiceField(Area.objects.none(), label=_("send in"))
    template = forms.ModelChoiceField(NoticeTemplate.objects.none(), label=_("template"), required=False)
    title = forms.CharField(label=_("title"), max_length=120)
    body = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Placeholders: {name} {site} {time} {round}"),
    )
    audience = forms.ChoiceField(choices=Notice.Audience.choices, label=_("to"), initial=Notice.Audience.AREA)
    group = forms.ModelChoiceField(SpecialGroup.objects.none(), label=_("special group"), required=False)
    round = forms.ModelChoiceField(None, label=pgettext_lazy("screening", "round"), required=False)
    control = forms.ModelChoiceField(None, label=_("compound under control"), required=False)
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, label=_("channels"), widget=forms.CheckboxSelectMultiple, initial=[Channel.INBOX]
    )
    site = forms.CharField(label=_("{site}: sampling site"), max_length=100, required=False)
    time = forms.CharField(label=_("{time}: when"), max_length=60, required=False)
    round_name = forms.CharField(label=_("{round}: round"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        from screening.models import Round
        from tracing.models import Control

        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("code")
        self.fields["template"].queryset = NoticeTemplate.objects.all()
        self.fields["group"].queryset = SpecialGroup.objects.all()
        self.fields["round"].queryset = Round.objects.select_related("campaign").order_by("-starts_at")
        self.fields["control"].queryset = (
            Control.objects.filter(lifted_at__isnull=True)
            .select_related("area", "compound", "building")
            .order_by("-pk")
        )
        self.fields["control"].label_from_instance = _control_label

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            template_placeholders_check(body)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["body"]) from None
        return body

    def clean(self):
        data = super().clean()
        needs = {
            Notice.Audience.GROUP: "group",
            Notice.Audience.ROUND_MISSING: "round",
            Notice.Audience.CONTROL: "control",
        }
        field = needs.get(data.get("audience"))
        if field and not data.get(field):
            self.add_error(field, _("Choose one for this audience."))
        return data

    def send_arguments(self):
        data = self.cleaned_data
        field = {
            Notice.Audience.GROUP: "group",
            Notice.Audience.ROUND_MISSING: "round",
            Notice.Audience.CONTROL: "control",
        }.get(data["audience"])
        round_ = data.get("round")
        return {
            "title": data["title"],
            "body": data["body"],
            "audience": data["audience"],
            "params": {field: data[field].pk} if field else {},
            "channels": data["channels"],
            "template": data.get("template"),
            "values": {
                "site": data.get("site", ""),
                "time": data.get("time", ""),
                "round": data.get("round_name") or (str(round_) if round_ else ""),
            },
        }
