"""Forms for planning, holding and reporting meetings."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from placements.models import Agreement, Party, RoleAuthority, StartMeetingAnswer
from pleegzorg.forms import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MeetingPlanForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput(), initial="10:00")
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("For example: at the foster family's home.")
    )


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


ParticipantFormSet = formset_factory(ParticipantForm, extra=2)


class HeldForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
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
    due_on = forms.DateField(label=_("By when"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("what"):
            if not data.get("owner"):
                self.add_error("owner", _("Every agreement needs an owner."))
            if not data.get("due_on"):
                self.add_error("due_on", _("Fill in by when."))
        return data


AgreementFormSet = formset_factory(AgreementForm, extra=3)


class AuthorityForm(forms.Form):
    subject = forms.ChoiceField(choices=RoleAuthority.Subject.choices, widget=forms.HiddenInput)
    decides = forms.ChoiceField(
        label=_("Who decides"), choices=[("", "—"), *Party.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


AuthorityFormSet = formset_factory(AuthorityForm, extra=0)


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
    next_date = forms.DateField(
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
    contact_on = forms.DateField(label=_("Date of the conversation"), widget=DateInput())
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
    next_date = forms.DateField(
        label=_("Next joint meeting"),
        widget=DateInput(),
        help_text=_("The date you agreed with the parties."),
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


class MeetingCancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingMoveForm(MeetingCancelForm, MeetingPlanForm):
    pass
