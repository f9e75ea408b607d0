"""The foster parents' forms on 'Mijn pleeggezin'."""

from django import forms
from django.utils.translation import gettext_lazy as _


class JointMeetingRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why would you like a meeting?"),
        help_text=_("For example: how it goes at school, or something you want to discuss."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,  # the service says why it needs one, in the same words as elsewhere
    )
