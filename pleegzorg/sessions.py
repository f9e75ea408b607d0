"""Sessions: the absolute lifetime, the index of whose session is whose, and ending them.

Every login (the password step; Django gives the session a new key then) stamps the session with
its login time and the last time the password was given, and indexes it in ``UserSession``. The
idle timeout is ``SESSION_COOKIE_AGE`` (``pleegzorg.middleware.IdleTimeoutMiddleware``); the
absolute lifetime ``SESSION_MAX_HOURS`` counts from the login stamp.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils import timezone

from pleegzorg.audit import Action, Purpose, access_log_write, client_ip
from pleegzorg.models import UserSession

if TYPE_CHECKING:
    from django.http import HttpRequest

    from pleegzorg.models import User

LOGIN_AT = "pz_login_at"
# A session key, not a password (bandit and ruff would take it for one).
PASSWORD_AT = "pz_password_at"  # noqa: S105  # nosec B105


def session_index(request: HttpRequest, user: User | None = None) -> None:
    """Index the request's session under its user (again, after its key changed)."""
    session = request.session
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user or request.user, "ip_address": client_ip(request)},
    )


def session_cycle(request: HttpRequest) -> None:
    """A new session key for the same session (after the second step: more rights, new id)."""
    old_key = request.session.session_key
    request.session.cycle_key()
    UserSession.objects.filter(session_key=old_key).delete()
    session_index(request)


def session_expired(session) -> bool:
    """Whether a logged-in session has passed its absolute lifetime. A logged-in session
    without a login stamp predates the stamp: it has no known age, so it counts as expired."""
    if "_auth_user_id" not in session:
        return False
    login_at = session.get(LOGIN_AT)
    return login_at is None or time.time() - login_at > settings.SESSION_MAX_HOURS * 3600


def password_given_recently(session) -> bool:
    """Whether the password was given within ``REAUTH_MINUTES`` (at login or to confirm)."""
    given_at = session.get(PASSWORD_AT, 0)
    return time.time() - given_at <= settings.REAUTH_MINUTES * 60


def password_confirmed(request: HttpRequest) -> None:
    request.session[PASSWORD_AT] = time.time()


def forget_ended_sessions() -> int:
    """Drop the index rows of sessions past their absolute lifetime: none of them can be alive."""
    cutoff = timezone.now() - timedelta(hours=settings.SESSION_MAX_HOURS)
    return UserSession.objects.filter(created_at__lt=cutoff).delete()[0]


def user_sessions_end(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """End every session of ``user`` (the application manager's action), written to the
    access log; returns how many there were. The user logs in again, with both steps."""
    ended = UserSession.objects.filter(user=user).end()
    access_log_write(
        user=actor,
        request=request,
        action=Action.CHANGE,
        purpose=Purpose.ADMINISTRATION,
        person=user,
        detail=f"sessies beëindigd ({ended})",
    )
    return ended


def _on_login(sender, request, user, **kwargs) -> None:
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[PASSWORD_AT] = now
    session_index(request, user)


def _on_logout(sender, request, user, **kwargs) -> None:
    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="pleegzorg.sessions.login")
    user_logged_out.connect(_on_logout, dispatch_uid="pleegzorg.sessions.logout")
