"""django-otp-webauthn's JSON endpoints, with this project's rules: a passkey is added only
with the password given recently, adding and using one is written down as the other second
steps are, and passing the step gives the session a new key (``pleegzorg.mfa``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library

from pleegzorg import mfa, sessions


class PasswordNotRecent(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "password_not_recent"
    default_detail = _("Give your password again first: reload this page.")


class RecentPasswordMixin:
    def check_can_register(self):
        if not sessions.password_given_recently(self.request.session):
            raise PasswordNotRecent()


class BeginRegistration(RecentPasswordMixin, library.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(RecentPasswordMixin, library.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        mfa.log_second_factor_change(self.request.user, self.request, "passkey toegevoegd")
        if not was_verified and self.request.user.is_verified():
            sessions.session_cycle(self.request)  # the library passed the step with it
        return response


class BeginAuthentication(library.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(library.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        mfa.second_factor_passed(self.request, device)

    def get_success_url(self):
        return mfa.next_url(self.request)
