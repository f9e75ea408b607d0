"""Forms for constellations and respite stays."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from constellations.models import Attendance, Gathering, RespiteStay, SupportContact
from pleegzorg.forms import DateField, DateInput


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (%(age)s years)") % {"name": obj, "age": obj.age()}


class StayForm(forms.Form):
    child = ChildChoiceField(
        label=_("Child"),
        queryset=None,
        empty_label=_("Choose a child"),
        error_messages={"required": _("Choose the child who comes to stay.")},
    )
    arrival = DateField(label=_("Arrival"), widget=DateInput())
    departure = DateField(
        label=_("Departure"), widget=DateInput(), help_text=_("The day the child goes home.")
    )
    bed = forms.ModelChoiceField(
        label=_("Bed"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a bed.")},
    )
    planned = forms.TypedChoiceField(
        label=_("Planned or unplanned?"),
        choices=[("1", _("planned")), ("0", _("unplanned"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=RespiteStay.Reason.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (RespiteStay.Status.CONFIRMED, _("confirmed")),
            (RespiteStay.Status.REQUESTED, _("requested, not yet confirmed")),
        ],
        initial=RespiteStay.Status.CONFIRMED,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, children, beds, availability_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["bed"].queryset = beds
        if availability_url:
            # Live availability: changing a date asks the server which beds are free.
            live = {
                "hx-get": availability_url,
                "hx-trigger": "change",
                "hx-target": "#bed-choices",
                "hx-select": "#bed-choices",
                "hx-swap": "outerHTML",
                "hx-include": "[name=arrival],[name=departure],[name=bed]",
            }
            self.fields["arrival"].widget.attrs.update(live)
            self.fields["departure"].widget.attrs.update(live)

    def clean(self):
        data = super().clean()
        arrival, departure = data.get("arrival"), data.get("departure")
        if arrival and departure and departure <= arrival:
            self.add_error("departure", _("The departure must be after the arrival."))
        return data


class StayChangeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=RespiteStay.Status.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class MemberAddForm(forms.Form):
    family = forms.ModelChoiceField(
        label=_("Foster family"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a family."),
            "invalid_choice": _("This family cannot be added: search again."),
        },
    )
    joined_on = DateField(label=_("Member since"), widget=DateInput())

    def __init__(self, *args, families, shown, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families
        # The radio buttons show the search results only; validation uses all candidates.
        self.fields["family"].widget.choices = [(f.pk, _family_label(f)) for f in shown]


def _family_label(family) -> str:
    label = f"{family} · {family.postcode} {family.city}"
    if getattr(family, "now_in", None):
        label += " · " + _("now in %(name)s") % {"name": family.now_in}
    return label


class MemberLeaveForm(forms.Form):
    left_on = DateField(label=_("Left on"), widget=DateInput())


class ParentAddForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("Parent"),
        queryset=None,
        empty_label=_("Choose a parent"),
        error_messages={"required": _("Choose a parent.")},
    )
    since = DateField(label=_("Taking part since"), widget=DateInput())

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class GatheringForm(forms.ModelForm):
    class Meta:
        model = Gathering
        fields = ["kind", "date", "place", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"date": DateField}

    def __init__(self, *args, people: dict[str, list], **kwargs):
        super().__init__(*args, **kwargs)
        for who, label in Attendance.Who.choices:
            self.fields[f"present_{who}"] = forms.TypedMultipleChoiceField(
                label=label,
                choices=people[who],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def attendance_fields(self):
        return [self[f"present_{who}"] for who in Attendance.Who.values]

    def clean(self):
        """The cleaned data is what services.gathering_record takes: the ticked people become
        ``attendees``, a mapping of Attendance.Who to person ids."""
        data = super().clean()
        data["attendees"] = {who: data.pop(f"present_{who}", []) for who in Attendance.Who.values}
        return data


class SupportContactForm(forms.ModelForm):
    class Meta:
        model = SupportContact
        fields = ["family", "date", "kind", "note"]
        widgets = {"date": DateInput(), "kind": forms.RadioSelect}
        field_classes = {"date": DateField}

    def __init__(self, *args, families, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families
        self.fields["family"].empty_label = _("Choose a family")
        self.fields["date"].initial = timezone.localdate()
