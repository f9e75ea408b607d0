import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from placements import permissions
from placements.models import (
    CareKind,
    Child,
    Decision,
    FosterFamily,
    ParentChild,
    Placement,
    VoiceNote,
    YouthProtector,
)
from placements.validators import normalise_postcode, validate_bsn, validate_postcode
from pleegzorg.forms import DateField, DateInput, search_text
from pleegzorg.models import User
from pleegzorg.versioning import VersionedModelForm

# The names of the caseload's rules (placements.selectors.CASELOAD_RULES) as a user reads them:
# the "Attention" column, the caseload's "Reason" filter and the team dashboard's columns.
ATTENTION_LABELS = {
    "planned_end": _("planned end is near"),
    "no_youth_protector": _("no youth protector"),
    "no_trusted_person": _("no trusted person"),
    "start_meeting_overdue": _("start meeting overdue"),
    "joint_meeting_overdue": _("joint meeting overdue"),
}
RULE_LABELS = {
    **ATTENTION_LABELS,
    "report_missing": _("report missing"),
    "agreement_past_date": _("agreement past its date"),
    "too_few_child_contacts": _("spoken with fewer than 3 times in 12 months"),
    "in_no_change_period": _("in the no-change-of-course period"),
    "unstable": _("2 or more caseworker changes in 12 months"),
}


def as_of_date_checked(day):
    """An as-of date no further ahead than DASHBOARD_MAX_DAYS_AHEAD: figures for a day far in
    the future mean nothing (and a typo such as 2062 should say so)."""
    if day and day > timezone.localdate() + dt.timedelta(days=settings.DASHBOARD_MAX_DAYS_AHEAD):
        raise forms.ValidationError(
            _("Choose a date at most a year from today."), code="too_far_ahead"
        )
    return day


# The caseload's "fase" in the URL, and the stage of the placements it lists (the selector's).
STAGES = {"nazorg": "aftercare", "afgesloten": "closed"}


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
    reden = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("All placements")), *RULE_LABELS.items()],
    )
    fase = forms.ChoiceField(
        label=_("Placements"),
        required=False,
        choices=[
            ("", _("running")),
            ("nazorg", _("ended, in aftercare")),
            ("afgesloten", _("ended, past aftercare (search by name)")),
        ],
    )
    op = DateField(label=_("As of"), required=False, widget=DateInput())
    # Set by the links from the team dashboard; kept as the other filters change.
    medewerker = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())
    straks = forms.BooleanField(required=False, widget=forms.HiddenInput())
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

    def clean_op(self):
        return as_of_date_checked(self.cleaned_data.get("op"))

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "kind": data.get("kind", ""),
            "legal_basis": data.get("basis", ""),
            "attention": data.get("attention", False),
            "reason": data.get("reden", ""),
            "sort": data.get("sort") or "naam",
            "caseworker": data.get("medewerker"),
            "on": data.get("op"),
            "due": bool(data.get("straks")) and bool(data.get("reden")),
            "stage": STAGES.get(data.get("fase", ""), ""),
        }


class ChildDetailsForm(VersionedModelForm):
    class Meta:
        model = Child
        fields = ["first_name", "last_name", "date_of_birth", "gender", "bsn", "school"]
        widgets = {"date_of_birth": DateInput()}
        field_classes = {"date_of_birth": DateField}


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


class PlacementEndingForm(forms.Form):
    """The details of an ending: why, who ended it, a note. Added to in aftercare as they
    become clear (``services.placement_ending_update``)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
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

    @classmethod
    def initial_for(cls, placement: Placement) -> dict:
        return {
            "version": placement.version,
            "end_reason": placement.end_reason,
            "ended_by": placement.ended_by,
            "end_note": placement.end_note,
        }


class PlacementEndForm(PlacementEndingForm):
    end_date = DateField(label=_("Last day in the family"), widget=DateInput())
    field_order = ["version", "end_date", "end_reason", "ended_by", "end_note"]


class AssignmentChangeForm(forms.Form):
    """What every change of caseworker or youth protector records (Advies 6 and 7)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    handover_note = forms.CharField(
        label=_("Handover note"),
        help_text=_(
            "What the new caseworker needs to know: agreements, worries, what is going well."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    family_informed = forms.BooleanField(label=_("The foster family has been told"), required=False)
    no_change_of_course_until = DateField(
        label=_("No change of course until"),
        required=False,
        widget=DateInput(),
        help_text=_("Advice 6: keep the course steady in the first months after a handover."),
    )


class HandoverForm(AssignmentChangeForm):
    new_caseworker = forms.ModelChoiceField(
        label=_("New caseworker"),
        queryset=User.objects.none(),
        empty_label=_("Choose a caseworker"),
        error_messages={"invalid_choice": permissions.HANDOVER_REFUSED},
    )
    field_order = ["version", "new_caseworker"]

    def __init__(self, *args, user: User, placement: Placement, **kwargs):
        super().__init__(*args, **kwargs)
        # The same list the service accepts (placements.services.placement_hand_over).
        self.fields["new_caseworker"].queryset = permissions.handover_candidates(user, placement)


class ChildStepForm(forms.Form):
    """Step 1: an existing child from the caseload, or a new child."""

    existing = forms.ModelChoiceField(
        label=_("A child already in your files"),
        queryset=Child.objects.none(),
        required=False,
        empty_label=_("No: a new child"),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    date_of_birth = DateField(label=_("Date of birth"), required=False, widget=DateInput())
    gender = forms.ChoiceField(label=_("Gender"), choices=Child.Gender.choices, initial="unknown")
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=9,
        required=False,
        validators=[validate_bsn],
        help_text=_("Citizen service number, 9 digits. Optional."),
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = children

    def clean(self):
        data = super().clean()
        if data.get("existing"):
            return data
        for name in ("first_name", "last_name", "date_of_birth"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Fill this in for a new child."))
        born = data.get("date_of_birth")
        if born and born > timezone.localdate():
            self.add_error("date_of_birth", _("The date of birth is in the future."))
        return data

    def new_child_fields(self) -> dict:
        return {
            k: self.cleaned_data[k]
            for k in ("first_name", "last_name", "date_of_birth", "gender", "bsn")
        }


class FamilyStepForm(forms.Form):
    """Step 2: the foster family, chosen from active families with their free places."""

    search = forms.CharField(
        label=_("Search a foster family"),
        required=False,
        max_length=100,
        help_text=_("Family name, town or postcode."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    family = forms.ModelChoiceField(
        label=_("Foster family"),
        queryset=FosterFamily.objects.filter(status="active"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a foster family."),
            "invalid_choice": _("Choose an active foster family from the list."),
        },
    )


class PlacementStepForm(forms.Form):
    """Step 3: kind of care, legal basis and dates."""

    kind = forms.ChoiceField(label=_("Kind of care"), choices=CareKind.choices)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=Placement.LegalBasis.choices)
    start_date = DateField(label=_("Start date"), widget=DateInput())
    planned_end_date = DateField(
        label=_("Planned end date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when there is no end date planned."),
    )
    perspective = forms.ChoiceField(
        label=_("Perspective"), choices=Placement.Perspective.choices, initial="undecided"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("planned_end_date")
        if start and end and end < start:
            self.add_error("planned_end_date", _("The planned end date is before the start date."))
        return data


class GuidanceStepForm(forms.Form):
    """Step 4: who guides the placement."""

    caseworker = forms.ModelChoiceField(label=_("Caseworker"), queryset=User.objects.none())
    youth_protector = forms.ModelChoiceField(
        label=_("Youth protector"),
        queryset=YouthProtector.objects.all(),
        required=False,
        empty_label=_("None (voluntary placement) or not known yet"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # The same list the service accepts (placements.services.placement_start).
        caseworkers = permissions.start_candidates(user)
        self.fields["caseworker"].queryset = caseworkers
        if caseworkers.count() == 1:
            self.fields["caseworker"].initial = caseworkers.first()
            self.fields["caseworker"].empty_label = None


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = [
            "decided_on",
            "subject",
            "decided_by",
            "foster_parents_consulted",
            "foster_parents_view",
            "reason",
        ]
        widgets = {
            "decided_on": DateInput(),
            "foster_parents_view": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"decided_on": DateField}


class VoiceNoteForm(forms.ModelForm):
    class Meta:
        model = VoiceNote
        fields = ["said_on", "text"]
        widgets = {"said_on": DateInput(), "text": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"said_on": DateField}
        help_texts = {"text": _("In the child's own words, as literally as you can.")}


class FamilyForm(VersionedModelForm):
    # Longer than the stored form, so that "3511ab" or a foreign code gets the postcode message
    # rather than a length message; clean_postcode stores it as "3511 AB".
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=12,
        validators=[validate_postcode],
        help_text=_("Such as 3511 AB."),
    )

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data["postcode"])

    class Meta:
        model = FosterFamily
        fields = [
            "name",
            "street",
            "postcode",
            "city",
            "municipality",
            "offers_full_time",
            "offers_part_time",
            "offers_crisis",
            "offers_respite",
            "places",
            "status",
            "stop_date",
            "stop_reason",
            "stop_note",
        ]
        widgets = {"stop_date": DateInput()}
        field_classes = {"stop_date": DateField}
        help_texts = {
            "stop_date": _("Only when the family stops."),
            "postcode": _("Such as 3511 AB."),
        }


class ParentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    relation = forms.ChoiceField(
        label=_("Relation to the child"), choices=ParentChild.Relation.choices
    )
    has_custody = forms.BooleanField(label=_("Has custody (gezag)"), required=False)
    participation = forms.CharField(
        label=_("How they take part"),
        max_length=300,
        required=False,
        help_text=_("For example: visits every other week, joins the joint meetings."),
    )
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    @classmethod
    def initial_for(cls, link: ParentChild) -> dict:
        parent = link.parent
        return {
            "version": parent.version,
            **{
                name: getattr(parent, name)
                for name in ("first_name", "last_name", "phone", "email", "address")
            },
            **{name: getattr(link, name) for name in ("relation", "has_custody", "participation")},
        }


class YouthProtectorChangeForm(AssignmentChangeForm):
    new_youth_protector = forms.ModelChoiceField(
        label=_("New youth protector"),
        queryset=YouthProtector.objects.all(),
        empty_label=_("Choose a youth protector"),
    )
    field_order = ["version", "new_youth_protector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handover_note"].help_text = _(
            "What the new youth protector needs to know: agreements, worries, what is going well."
        )


class PlacementStartFlow:
    """The four steps of starting a placement, as one form that works without JavaScript.

    Each step posts the earlier steps' answers along as hidden fields, so nothing is stored on
    the server until the last step. The steps up to the one posted are bound to the data (going
    back or searching for a family does not check the step being left); later ones start from
    what was typed. ``step`` is the step to show next; ``ready`` says all four are valid and the
    last one was posted, so the placement can start.
    """

    STEPS = [
        ("s0", ChildStepForm, _("Child")),
        ("s1", FamilyStepForm, _("Foster family")),
        ("s2", PlacementStepForm, _("Placement")),
        ("s3", GuidanceStepForm, _("Guidance")),
    ]
    LAST = len(STEPS) - 1
    # Which step shows a refusal from the service, by the field it concerns.
    FIELD_STEP = {"family": 1, "kind": 2, "start_date": 2, "planned_end_date": 2, "caseworker": 3}

    def __init__(self, user: User, data=None):
        self.data = data
        posted = (data or {}).get("step", "")
        # isdecimal(), not isdigit(): exactly what int() reads ("²" is a digit, not a number).
        self.submitted = min(int(posted), self.LAST) if posted.isdecimal() else 0
        self.action = data.get("action", "next") if data else "show"
        kwargs = [
            {"children": permissions.children.visible_to(user).order_by("first_name")},
            {},
            {},
            {"user": user},
        ]
        # Going back or searching for a family does not check the step being left.
        bound_upto = self.submitted - 1 if self.action in {"back", "search"} else self.submitted
        self.forms = [
            self._form(index, form_class, prefix, bound=index <= bound_upto, **kwargs[index])
            for index, (prefix, form_class, _title) in enumerate(self.STEPS)
        ]
        self.step = self._step_to_show()

    def _form(self, index, form_class, prefix, *, bound, **kwargs):
        if self.data is not None and bound:
            return form_class(self.data, prefix=prefix, **kwargs)
        initial = {
            key.removeprefix(f"{prefix}-"): value
            for key, value in (self.data or {}).items()
            if key.startswith(f"{prefix}-")
        }
        return form_class(prefix=prefix, initial=initial, **kwargs)

    def _step_to_show(self) -> int:
        if self.action == "back":
            return max(self.submitted - 1, 0)
        if self.action != "next":
            return self.submitted
        invalid = next((i for i in range(self.submitted + 1) if not self.forms[i].is_valid()), None)
        if invalid is not None:
            return invalid
        return min(self.submitted + 1, self.LAST)

    @property
    def ready(self) -> bool:
        return (
            self.action == "next"
            and self.submitted == self.LAST
            and all(form.is_valid() for form in self.forms)
        )

    def start_fields(self) -> dict:
        """The keyword arguments of ``services.placement_start_for_child``."""
        child_form, family_form, placement_form, guidance_form = self.forms
        return {
            "child": child_form.cleaned_data.get("existing"),
            "new_child": child_form.new_child_fields(),
            "family": family_form.cleaned_data["family"],
            **placement_form.cleaned_data,
            **guidance_form.cleaned_data,
        }

    def show_refusal(self, error) -> None:
        """Put each of the service's messages on its field, in its step; show the first step
        with a message."""
        if not hasattr(error, "error_dict"):
            self.forms[-1].add_error(None, error)
            self.step = self.LAST
            return
        steps = []
        for field, messages in error.message_dict.items():
            step = self.FIELD_STEP.get(field, 0)
            form = self.forms[step]
            form.add_error(field if field in form.fields else None, messages)
            steps.append(step)
        self.step = min(steps)

    @property
    def family_search(self) -> str:
        return search_text((self.data or {}).get("s1-search"))

    @property
    def chosen_family(self) -> str:
        return (self.data or {}).get("s1-family", "")

    def context(self) -> dict:
        return {
            "steps": [title for _prefix, _form_class, title in self.STEPS],
            "step": self.step,
            "form": self.forms[self.step],
            "carried": self._carried(),
            "chosen_family": self.chosen_family,
            "summary": self._summary(),
        }

    def _carried(self) -> list[tuple[str, str]]:
        """The other steps' answers, posted along as hidden fields."""
        if not self.data:
            return []
        keep = self.STEPS[self.step][0]
        return [
            (key, value)
            for key, values in self.data.lists()
            if key[:3] in {"s0-", "s1-", "s2-", "s3-"} and not key.startswith(f"{keep}-")
            for value in values
        ]

    def _summary(self) -> list[tuple[str, str]]:
        """What has been chosen in the steps before this one, to show above the form."""
        rows = []
        for index, form in enumerate(self.forms[: self.step]):
            if form.is_bound and form.is_valid():
                rows.append((str(self.STEPS[index][2]), self._chosen(index, form)))
        return rows

    @staticmethod
    def _chosen(index: int, form) -> str:
        cleaned = form.cleaned_data
        if index == 0:
            child = cleaned.get("existing")
            return str(child) if child else "{first_name} {last_name}".format(**cleaned)
        if index == 1:
            return str(cleaned["family"])
        kind = dict(form.fields["kind"].choices)[cleaned["kind"]]
        return f"{kind}, {date_format(cleaned['start_date'], 'SHORT_DATE_FORMAT')}"
