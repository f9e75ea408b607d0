import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pleegzorg.models import AccessLogEntry, User
from pleegzorg.services import BREAK_GLASS_REASON_MIN_LENGTH


class LoginForm(AuthenticationForm):
    """Django's login form with one message for every failure, so it never tells whether an
    account exists."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "This username and password do not match. Check both and try again; "
            "after several attempts you will have to wait a while."
        ),
        "inactive": _(
            "This username and password do not match. Check both and try again; "
            "after several attempts you will have to wait a while."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django gives the username its max_length after the field is made, so nothing checked
        # it: a longer name went on to django-axes, which cannot store it in its log (a 500).
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# The days this application can mean: nobody here was born before 1900, and nothing is planned
# after 2199. A day outside them is a typo, and near the calendar's own edges it broke the sums
# made with it (9999-12-31 plus a week is no date: a 500).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def search_text(value: str | None, *, limit: int = 100) -> str:
    """Search words read from the address or a post without a form: trimmed, at most ``limit``
    characters, and without NUL characters, which PostgreSQL cannot hold even in a query (a
    form's CharField refuses them itself, with a message)."""
    return (value or "").replace("\x00", "").strip()[:limit]


def within_reach(day: dt.date | None) -> bool:
    return day is None or FIRST_DAY <= day <= LAST_DAY


class DateField(forms.DateField):
    """Every date typed in a form: a calendar input, and a day from FIRST_DAY to LAST_DAY."""

    widget = DateInput
    default_error_messages = {
        "out_of_reach": _("Fill in a date from %(first)s to %(last)s."),
    }

    def validate(self, value):
        super().validate(value)
        if not within_reach(value):
            raise forms.ValidationError(
                self.error_messages["out_of_reach"],
                code="out_of_reach",
                params={"first": FIRST_DAY.year, "last": LAST_DAY.year},
            )


class AccessLogFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Concerns"),
        required=False,
        max_length=100,
        help_text=_("Part of a name, for example of a child."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # A name to search, not a list of every user: an organisation has hundreds.
    user = forms.CharField(
        label=_("User"),
        required=False,
        max_length=100,
        help_text=_("Part of the name of who did it."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AccessLogEntry.Action.choices],
    )
    period_start = DateField(label=_("From"), required=False)
    period_end = DateField(label=_("Until"), required=False)

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer  # the entries searched are those it may see (access_log_entries)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters given (an unbound form: none)."""
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}

    def description(self) -> str:
        """The search as the access log records it: 'inzagelog person=Sanne action=view'."""
        parts = [f"{key}={value}" for key, value in self.filters().items()]
        return " ".join(["inzagelog", *parts])


class CodeForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        label=_("Code from your app"),
        max_length=10,
        help_text=_("Six digits. Your app shows a new code every 30 seconds."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=20,
        help_text=_("One of the codes you saved when you set up logging in with two steps."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class PasswordConfirmForm(forms.Form):
    """The password again, before a change to how one logs in."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not right."))
        return password


class EmailForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email"]
        help_texts = {"email": _("A link to choose a new password is sent to this address.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})


class BreakGlassForm(forms.Form):
    """Why a user opens a file after its aftercare period. The service checks the length too;
    the form says it first, beside the field."""

    reason = forms.CharField(
        label=_("Why do you open this file?"),
        min_length=BREAK_GLASS_REASON_MIN_LENGTH,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write down why you open this file."),
            "min_length": _(
                "Write a little more: at least %(limit_value)d characters, so that someone else "
                "can understand later why you opened this file."
            ),
            "max_length": _("Keep it shorter: at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = gettext(
            "For example: the court asks for information about the placement. Write at least "
            "%(count)d characters. Your team lead and the application manager see this reason."
        ) % {"count": BREAK_GLASS_REASON_MIN_LENGTH}
