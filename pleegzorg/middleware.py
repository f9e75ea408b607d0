"""Every refusal lands in the access log (NEN 7513): 404s through ``get_visible_or_404``, 403s
here, whichever view or service raised them. And the session's limits: the idle timeout, the
absolute lifetime and the second login step."""

from __future__ import annotations

import time
from functools import partial

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY

from pleegzorg import mfa, sessions
from pleegzorg.models import UserSession
from pleegzorg.permissions import log_refusal


class RefusalLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            log_refusal(request, exception)
        return None  # Django still answers 403 as before


class IdleTimeoutMiddleware:
    """The idle timeout (``SESSION_COOKIE_AGE`` after the last request) with the session written
    at most once a minute instead of on every request: three queries fewer on most pages. The
    session then ends between ``IDLE_TIMEOUT_MINUTES - 1`` and ``IDLE_TIMEOUT_MINUTES`` after the
    last request. Placed after Django's SessionMiddleware, which saves what this one marks."""

    REFRESH_AFTER_SECONDS = 60
    REFRESHED_AT = "_refreshed_at"  # the session key of the last write's time

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.REFRESHED_AT, 0) >= self.REFRESH_AFTER_SECONDS:
                session[self.REFRESHED_AT] = now  # marks it modified: saved with a new expiry
        return response


class SessionLifetimeMiddleware:
    """The absolute lifetime: a logged-in session ends ``SESSION_MAX_HOURS`` after its login,
    however active (``pleegzorg.sessions``). Placed before AuthenticationMiddleware, so that
    the request after the end is anonymous and the page sends it to log in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and sessions.session_expired(session):
            UserSession.objects.filter(session_key=session.session_key).delete()
            session.flush()
        return self.get_response(request)


class SecondFactorMiddleware:
    """The one place that enforces the second login step, for every URL: a logged-in user
    whose session has not passed it goes to ``two_factor:verify`` (which sends a user without
    a second factor on to set one up) — except on the pages of logging in and out, the second
    step itself, the health check and the language switch (``EXEMPT_*``).
    ``tests/test_mfa.py`` requests every URL pattern of the project to hold this.

    It also answers ``request.user.is_verified()`` as django-otp's OTPMiddleware would, from
    the device id that ``django_otp.login`` puts in the session, without loading the device on
    every request (that query would put pages over their budget of 15). A session that passed
    the step stays so until it ends; removing a second factor therefore ends the user's other
    sessions, and the application manager's reset ends all of them (``pleegzorg.mfa``)."""

    EXEMPT_NAMESPACES = frozenset({"two_factor", "otp_webauthn"})
    EXEMPT_NAMES = frozenset({"login", "logout", "healthz", "set_language"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(partial(self.with_verification, request, user))
        return self.get_response(request)

    @staticmethod
    def with_verification(request, user):
        user.otp_device = None  # loaded only by whoever needs it: Device.from_persistent_id
        user.is_verified = partial(SecondFactorMiddleware.session_verified, request, user)
        return user

    @staticmethod
    def session_verified(request, user) -> bool:
        return user.is_authenticated and DEVICE_ID_SESSION_KEY in request.session

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match is None
            or match.view_name in self.EXEMPT_NAMES
            or self.EXEMPT_NAMESPACES & set(match.namespaces)
            or not request.user.is_authenticated
            or request.user.is_verified()
            or not mfa.must_pass(request)
        ):
            return None
        request.session[mfa.NEXT_URL] = request.get_full_path() if request.method == "GET" else ""
        url = reverse("two_factor:verify")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
