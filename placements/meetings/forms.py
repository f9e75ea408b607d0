"""Forms for planning, holding and reporting meetings.

A meeting page posts several forms at once (the meeting, its participants or agreements, the
parties' answers). Each page has a :class:`FormGroup` that validates them together and hands the
service its keyword arguments as ``cleaned_data``, so views post it through the shared
``pleegzorg.views.forms.submit`` like any single form.
"""

import datetime as dt

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.meetings.models import (
    Agreement,
    Meeting,
    Party,
    RoleAuthority,
    StartMeetingAnswer,
)
from pleegzorg.forms import DateField, DateInput
from pleegzorg.versioning import StaleRecord

# No page adds rows in the browser: the rows a page shows are all it can post. A post that claims
# more (the row count is a hidden field anyone can change) is refused with a message before
# that many forms are built, validated and shown again; Django's own ceiling is 2,000 rows.
MAX_ROWS = 30


def rows_formset(form, *, extra: int):
    return formset_factory(form, extra=extra, max_num=MAX_ROWS, absolute_max=MAX_ROWS)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MeetingPlanForm(forms.Form):
    day = DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput(), initial="10:00")
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("For example: at the foster family's home.")
    )
    # A service's message about the moment belongs beside the date.
    error_fields = {"planned_at": "day"}

    def planned_at(self) -> dt.datetime:
        data = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))


class ParticipantForm(forms.Form):
    party = forms.ChoiceField(label=_("Party"), choices=[("", "—"), *Party.choices], required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Email address"), required=False, help_text=_("For the invitation. Optional.")
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("party"):
            self.add_error("party", _("Choose the party this person belongs to."))
        if data.get("party") and not data.get("name"):
            self.add_error("name", _("Fill in a name."))
        return data


ParticipantFormSet = rows_formset(ParticipantForm, extra=2)


class HeldForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    held_on = DateField(label=_("Held on"), widget=DateInput())
    attended = forms.MultipleChoiceField(
        label=_("Who was there?"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(p.pk), str(p)) for p in meeting.participants.all()]


class AnswersForm(forms.ModelForm):
    class Meta:
        model = StartMeetingAnswer
        fields = [name for name, _label in StartMeetingAnswer.QUESTIONS]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields}


class AgreementForm(forms.Form):
    what = forms.CharField(label=_("Agreement"), max_length=300, required=False)
    owner = forms.ChoiceField(label=_("Owner"), choices=[("", "—"), *Party.choices], required=False)
    due_on = DateField(label=_("By when"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("what"):
            if not data.get("owner"):
                self.add_error("owner", _("Every agreement needs an owner."))
            if not data.get("due_on"):
                self.add_error("due_on", _("Fill in by when."))
        return data


AgreementFormSet = rows_formset(AgreementForm, extra=3)


class AuthorityForm(forms.Form):
    subject = forms.ChoiceField(choices=RoleAuthority.Subject.choices, widget=forms.HiddenInput)
    decides = forms.ChoiceField(
        label=_("Who decides"), choices=[("", "—"), *Party.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


AuthorityFormSet = rows_formset(AuthorityForm, extra=0)


class JointReportForm(HeldForm):
    going_with_you = forms.CharField(
        label=_("How is it going with you?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    going_with_us = forms.CharField(
        label=_("How is it going with us (the cooperation)?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    going_with_child = forms.CharField(
        label=_("How is it going with the child?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    going_well = forms.CharField(
        label=_("What goes well?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    could_be_better = forms.CharField(
        label=_("What could be better?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    satisfied_when = forms.CharField(
        label=_("When are we satisfied next time, and what must have changed by then?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_date = DateField(
        label=_("When do we evaluate next?"),
        required=False,
        widget=DateInput(),
        help_text=_("Required: this date schedules the next joint meeting."),
    )
    close_agreements = forms.ModelMultipleChoiceField(
        label=_("Open agreements that are done"),
        queryset=Agreement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    REPORT_FIELDS = (
        "going_with_you",
        "going_with_us",
        "going_with_child",
        "going_well",
        "could_be_better",
        "satisfied_when",
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, meeting=meeting, **kwargs)
        self.fields["close_agreements"].queryset = meeting.placement.agreements.filter(
            status=Agreement.Status.OPEN
        )


class MeetingRequestForm(forms.Form):
    requested_by = forms.ChoiceField(label=_("Who asks for the meeting?"), choices=Party.choices)
    requester_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Why is a meeting needed?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ChildContactForm(forms.Form):
    contact_on = DateField(label=_("Date of the conversation"), widget=DateInput())
    note = forms.CharField(
        label=_("What was talked about"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CadenceForm(forms.Form):
    """How often the joint meetings take place, and the next date when none is planned."""

    CHOICES = [
        (4, _("every 4 weeks")),
        (6, _("every 6 weeks (the default for a child under 3)")),
        (8, _("every 8 weeks")),
        (13, _("every 3 months (the default)")),
        (17, _("every 4 months")),
        (26, _("every 6 months")),
    ]

    version = forms.IntegerField(widget=forms.HiddenInput)
    interval_weeks = forms.TypedChoiceField(label=_("How often"), coerce=int, choices=CHOICES)
    next_date = DateField(
        label=_("Next joint meeting"),
        widget=DateInput(),
        help_text=_("The date you agreed with the parties."),
    )

    @classmethod
    def for_placement(cls, data, placement, *, planned: Meeting | None) -> "CadenceForm":
        """The form for ``placement``: its cadence and next date as they are now."""
        initial = {
            "version": placement.version,
            "interval_weeks": placement.joint_meeting_interval_weeks,
            "next_date": placement.next_joint_meeting_on,
        }
        return cls(
            data,
            initial=initial,
            current_weeks=placement.joint_meeting_interval_weeks,
            has_planned_meeting=planned is not None,
        )

    def __init__(self, *args, current_weeks: int, has_planned_meeting: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["interval_weeks"]
        if current_weeks not in dict(self.CHOICES):
            field.choices = sorted(
                [
                    *self.CHOICES,
                    (current_weeks, _("every %(weeks)s weeks") % {"weeks": current_weeks}),
                ]
            )
        if has_planned_meeting:
            # A planned meeting keeps its own date; move that meeting to change it.
            del self.fields["next_date"]


class MeetingChangeForm(MeetingPlanForm):
    """Move a planned meeting, or (with the "cancel" button) call it off: then only the version
    counts, and a missing version means the page is stale."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    field_order = ["version", "day", "time", "place"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.cancelling = data is not None and "cancel" in data
        if self.cancelling:
            for name in ("day", "time", "place"):
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if self.cancelling and "version" in self.errors:
            raise StaleRecord
        return data

    def service_data(self) -> dict:
        data = {"version": self.cleaned_data["version"], "cancel": self.cancelling}
        if not self.cancelling:
            data |= {"planned_at": self.planned_at(), "place": self.cleaned_data["place"]}
        return data


# -- pages with several forms -------------------------------------------------------------------


class FormGroup:
    """Forms posted together: valid when every one is; ``main`` shows the service's refusals.
    ``cleaned_data`` is what the service takes (see each page's ``service_data``)."""

    def __init__(self, main: forms.Form, **parts):
        self.main, self.parts = main, parts

    @property
    def fields(self):
        return self.main.fields

    @property
    def error_fields(self) -> dict:
        return getattr(self.main, "error_fields", {})

    def add_error(self, field, error) -> None:
        self.main.add_error(field, error)

    def is_valid(self) -> bool:
        results = [self.main.is_valid(), *(part.is_valid() for part in self._all_parts())]
        return all(results)

    def _all_parts(self):
        for part in self.parts.values():
            yield from part.values() if isinstance(part, dict) else [part]

    @property
    def cleaned_data(self) -> dict:
        return self.service_data()

    def service_data(self) -> dict:
        """What the service takes: by default what the main form says it takes."""
        return self.main.service_data()


def filled(formset, field: str) -> list[dict]:
    """The rows of a formset in which ``field`` was filled in (empty extra rows left out)."""
    return [row for row in formset.cleaned_data if row.get(field)]


class MeetingPlanPage(FormGroup):
    """The moment and place, and who takes part (suggested from the placement's parties)."""

    def __init__(self, data, *, kind: str, initial_day: dt.date, suggested: list[dict]):
        super().__init__(
            MeetingPlanForm(data, initial={"day": initial_day}),
            participants=ParticipantFormSet(data, prefix="p", initial=None if data else suggested),
        )
        self.kind = kind

    def service_data(self) -> dict:
        return {
            "kind": self.kind,
            "planned_at": self.main.planned_at(),
            "place": self.main.cleaned_data["place"],
            "participants": filled(self.parts["participants"], "name"),
        }


def held_data(form: HeldForm) -> dict:
    """What every held meeting reports: the version seen, the day, who was there."""
    data = form.cleaned_data
    return {
        "version": data["version"],
        "held_on": data["held_on"],
        "attended": {int(pk) for pk in data["attended"]},
    }


def held_initial(meeting: Meeting) -> dict:
    return {"version": meeting.version, "held_on": timezone.localtime(meeting.planned_at).date()}


class StartMeetingPage(FormGroup):
    """Advies 1: who was there, each party's answers to the six questions, who decides what,
    and the agreements with an owner and a date."""

    def __init__(self, data, *, meeting: Meeting):
        parties = list(dict.fromkeys(p.party for p in meeting.participants.all()))
        existing = {a.subject: a for a in meeting.placement.authorities.all()}
        super().__init__(
            HeldForm(data, meeting=meeting, initial=held_initial(meeting)),
            agreements=AgreementFormSet(data, prefix="a"),
            authorities=AuthorityFormSet(
                data,
                prefix="r",
                initial=[
                    {
                        "subject": value,
                        "decides": getattr(existing.get(value), "decides", ""),
                        "note": getattr(existing.get(value), "note", ""),
                    }
                    for value, _label in RoleAuthority.Subject.choices
                ],
            ),
            answers={
                party: AnswersForm(
                    data, prefix=f"q-{party}", instance=StartMeetingAnswer(party=party)
                )
                for party in parties
            },
        )

    def context(self) -> dict:
        labels = dict(RoleAuthority.Subject.choices)
        authorities = self.parts["authorities"]
        return {
            "form": self.main,
            "agreements": self.parts["agreements"],
            "answers": [(Party(p).label, f) for p, f in self.parts["answers"].items()],
            "authorities": authorities,
            "authority_rows": [
                (row, labels.get(row["subject"].value(), "")) for row in authorities.forms
            ],
        }

    def service_data(self) -> dict:
        return {
            **held_data(self.main),
            "answers": {party: f.cleaned_data for party, f in self.parts["answers"].items()},
            "authorities": filled(self.parts["authorities"], "decides"),
            "agreements": filled(self.parts["agreements"], "what"),
        }


class JointReportPage(FormGroup):
    """Advies 8: the report on the agenda, the next date, new and finished agreements."""

    def __init__(self, data, *, meeting: Meeting):
        super().__init__(
            JointReportForm(data, meeting=meeting, initial=held_initial(meeting)),
            agreements=AgreementFormSet(data, prefix="a"),
        )

    def context(self) -> dict:
        return {"form": self.main, "agreements": self.parts["agreements"]}

    def service_data(self) -> dict:
        data = self.main.cleaned_data
        return {
            **held_data(self.main),
            "report": {name: data[name] for name in JointReportForm.REPORT_FIELDS},
            "next_date": data["next_date"],
            "agreements": filled(self.parts["agreements"], "what"),
            "closed_agreements": data["close_agreements"],
        }
