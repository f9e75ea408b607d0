from django import forms
from django.utils.translation import gettext_lazy as _


class CaseFileDeleteForm(forms.Form):
    """A person confirms; the service refuses without it (so does any other caller)."""

    confirmed = forms.BooleanField(
        label=_("I have reviewed this file: it may be deleted"),
        required=False,
        help_text=_("Deleting cannot be undone. The access log keeps that it happened, by number."),
    )
