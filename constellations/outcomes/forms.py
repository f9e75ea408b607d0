"""The outcome monitor's filters: a region and a period (default: the last 12 months)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from constellations.outcomes.selectors import Period, regions_visible_to
from pleegzorg.forms import DateField, DateInput
from pleegzorg.models import Region, User


class OutcomeFilterForm(forms.Form):
    region = forms.CharField(label=_("Region"), required=False, widget=forms.Select)
    start = DateField(label=_("From"), required=False, widget=DateInput())
    end = DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, data, *, viewer: User):
        default = Period.last_year_until(timezone.localdate())
        values = {"start": default.start.isoformat(), "end": default.end.isoformat()}
        values.update({key: value for key, value in data.items() if value})
        super().__init__(values)
        self.visible_regions = list(regions_visible_to(viewer))
        self.fields["region"].widget.choices = [
            ("", _("All my regions")),
            *((str(region.pk), region.name) for region in self.visible_regions),
        ]

    def clean_region(self) -> Region | None:
        value = self.cleaned_data["region"]
        if not value:
            return None
        region = Region.objects.filter(pk=int(value)).first() if value.isdecimal() else None
        if region is None:
            raise forms.ValidationError(_("This region does not exist. Choose one from the list."))
        return region

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
