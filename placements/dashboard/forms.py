"""The team dashboard's filters: team, region and as-of date, in the URL so it can be shared."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.dashboard.selectors import dashboard_teams, regions
from placements.forms import as_of_date_checked
from pleegzorg import compiled
from pleegzorg.forms import DateField, DateInput
from pleegzorg.models import Region, Team


class DashboardFilterForm(forms.Form):
    # Numbers with a list to choose from, not model choices: a team that exists but is not the
    # user's must answer 404 (and be logged), one that does not exist a message on the form.
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1)
    region = forms.IntegerField(label=_("Region"), required=False, min_value=1)
    op = DateField(
        label=_("As of"),
        required=False,
        widget=DateInput(),
        help_text=_("The day the figures are for. Empty: today."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices' SQL depends only on who the user is (dashboard_teams): compiled once
        # per process for them, the names read fresh every time (as Team and Region's str).
        viewer = (user.pk, user.role, user.is_superuser)
        teams = compiled.rows(
            ("dashboard_team_choices", viewer),
            lambda: dashboard_teams(user).order_by("name").values("pk", "name"),
        )
        self.fields["team"].widget = forms.Select(
            choices=[("", _("All your teams"))] + [(t["pk"], t["name"]) for t in teams]
        )
        region_choices = compiled.rows(
            ("dashboard_region_choices", viewer),
            lambda: regions.visible_to(user).order_by("name").values("pk", "name"),
        )
        self.fields["region"].widget = forms.Select(
            choices=[("", _("All regions"))] + [(r["pk"], r["name"]) for r in region_choices]
        )

    def clean_team(self):
        team = self.cleaned_data.get("team")
        if team and not Team.objects.filter(pk=team).exists():
            raise forms.ValidationError(_("This team does not exist. Choose one from the list."))
        return team

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if region and not Region.objects.filter(pk=region).exists():
            raise forms.ValidationError(_("This region does not exist. Choose one from the list."))
        return region

    def clean_op(self):
        return as_of_date_checked(self.cleaned_data.get("op"))

    def filters(self) -> dict | None:
        """The filters, or None when the form has errors (the page then shows them)."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        return {
            "team": data.get("team"),
            "region": data.get("region"),
            "on": data.get("op") or timezone.localdate(),
        }
