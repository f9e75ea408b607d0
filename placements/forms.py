from django import forms
from django.utils.translation import gettext_lazy as _

from placements.models import CareKind, Child, Placement
from pleegzorg.forms import DateInput


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
