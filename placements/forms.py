from django import forms
from django.utils.translation import gettext_lazy as _

from placements.models import CareKind, Child, Placement
from pleegzorg.forms import DateInput
from pleegzorg.models import User


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name of the child or the foster family."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of care"), required=False, choices=[("", _("All kinds")), *CareKind.choices]
    )
    basis = forms.ChoiceField(
        label=_("Legal basis"),
        required=False,
        choices=[("", _("All")), *Placement.LegalBasis.choices],
    )
    attention = forms.BooleanField(label=_("Only those that need attention"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("naam", _("name (A to Z)")),
            ("-naam", _("name (Z to A)")),
            ("-start", _("newest placement first")),
            ("start", _("oldest placement first")),
            ("einde", _("planned end date")),
        ],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "kind": data.get("kind", ""),
            "legal_basis": data.get("basis", ""),
            "attention": data.get("attention", False),
            "sort": data.get("sort") or "naam",
        }


class VersionedModelForm(forms.ModelForm):
    """Carries the version the user saw, so a save over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ChildDetailsForm(VersionedModelForm):
    class Meta:
        model = Child
        fields = ["first_name", "last_name", "date_of_birth", "gender", "bsn", "school"]
        widgets = {"date_of_birth": DateInput()}


class CareFactsForm(VersionedModelForm):
    class Meta:
        model = Child
        fields = ["allergies", "medication", "diet", "emergency_contacts"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class TrustedPersonForm(VersionedModelForm):
    class Meta:
        model = Child
        fields = ["trusted_person_name", "trusted_person_relation", "trusted_person_contact"]


class LifeStoryForm(VersionedModelForm):
    class Meta:
        model = Child
        fields = ["life_story_status"]


class PlacementEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(label=_("Last day in the family"), widget=DateInput())
    end_reason = forms.ChoiceField(
        label=_("Why did the placement end?"),
        choices=[("", _("Choose a reason")), *Placement.EndReason.choices],
        error_messages={"required": _("Choose why the placement ended.")},
    )
    ended_by = forms.ChoiceField(
        label=_("Who ended it?"),
        required=False,
        choices=[("", _("Not applicable")), *Placement.EndedBy.choices],
        help_text=_("Only for a premature ending."),
    )
    end_note = forms.CharField(
        label=_("About the ending"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandoverForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    new_caseworker = forms.ModelChoiceField(
        label=_("New caseworker"),
        queryset=User.objects.none(),
        empty_label=_("Choose a caseworker"),
    )
    handover_note = forms.CharField(
        label=_("Handover note"),
        help_text=_(
            "What the new caseworker needs to know: agreements, worries, what is going well."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    family_informed = forms.BooleanField(label=_("The foster family has been told"), required=False)
    no_change_of_course_until = forms.DateField(
        label=_("No change of course until"),
        required=False,
        widget=DateInput(),
        help_text=_("Advice 6: keep the course steady in the first months after a handover."),
    )

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_caseworker"].queryset = caseworkers
