"""The test client whose ``force_login`` makes a session that passed both login steps.

Most tests are about what a logged-in user may see or do, not about logging in: their session
should be one that typed a password and a code. ``force_login`` here gives the user a confirmed
authenticator app (django-otp's ``TOTPDevice``, made once per user) and marks the session the
way ``django_otp.login`` does. The middleware is left as it is: tests/test_mfa.py logs in through
the forms and proves that a session without the second step gets nowhere.
"""

from __future__ import annotations

import django.test
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verify_session(session, user) -> None:
    """Mark ``session`` as having passed the second step with the user's test device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class Client(django.test.Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        verify_session(self.session, user)

    def force_login_password_only(self, user, backend=None):
        """A session that passed the password step only (as right after the login form)."""
        super().force_login(user, backend)
