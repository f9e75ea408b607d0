"""The second login step: an authenticator app (TOTP), passkeys (WebAuthn) and recovery codes.

The devices are django-otp's (``TOTPDevice``, ``StaticDevice`` for the recovery codes) and
django-otp-webauthn's (``WebAuthnCredential``); a session that passed the step carries
django-otp's device id (``django_otp.login``), which
``pleegzorg.middleware.SecondFactorMiddleware`` turns into ``request.user.is_verified()``; it is
the one place that sends a logged-in user who did not pass the step to it.

Rules kept here:
- With ``REQUIRE_2FA`` (production, the tests) a user without a second factor sets one up
  before anything else; without it (the demo) only users who have one are asked for it.
- A second factor is added, replaced or removed only with the password given recently
  (``pleegzorg.sessions.password_given_recently``); the first one right after the login.
- Recovery codes are shown once, when made; each works once (django-otp deletes a used one).
- Removing or replacing a second factor ends the user's other sessions (they passed the step
  with what may be a lost phone). With ``REQUIRE_2FA`` the last one cannot be removed.
- The application manager's reset removes every second factor and ends every session; both
  the reset and each change a user makes are written to the access log.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper as LibraryWebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from pleegzorg import sessions
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import UserSession

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_otp.models import Device

    from pleegzorg.models import User

RECOVERY_CODE_COUNT = 10
# Recovery codes just made, to show once (popped from the session by the page that shows them).
NEW_RECOVERY_CODES = "pz_new_recovery_codes"
# Where to go after the second step (the page asked for before logging in).
NEXT_URL = "pz_next"
# Without REQUIRE_2FA: whether the user had a second factor when they logged in.
HAS_SECOND_FACTOR = "pz_has_second_factor"


class WebAuthnHelper(LibraryWebAuthnHelper):
    """Outside production, the page's own origin counts when its host is the relying party
    (the demo and the test server run on localhost with a port of their own)."""

    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        own = f"{self.request.scheme}://{self.request.get_host()}"
        host = self.request.get_host().rsplit(":", 1)[0]
        if (
            not getattr(settings, "IS_PRODUCTION", False)
            and host == self.get_relying_party_domain()
        ):
            origins.append(own)
        return origins


# -- what a user has --------------------------------------------------------------------------


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys(user: User):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes alone are a way back, not a factor)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def must_pass(request: HttpRequest) -> bool:
    """Whether this logged-in, not yet verified session is sent to the second step. Without
    ``REQUIRE_2FA``, the answer is taken at login (no queries on every page of the demo)."""
    if settings.REQUIRE_2FA:
        return True
    if HAS_SECOND_FACTOR not in request.session:
        request.session[HAS_SECOND_FACTOR] = has_second_factor(request.user)
    return request.session[HAS_SECOND_FACTOR]


def _on_login(sender, request, user, **kwargs) -> None:
    request.session.pop(HAS_SECOND_FACTOR, None)


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="pleegzorg.mfa.login")


# -- the step at login ------------------------------------------------------------------------


def next_url(request: HttpRequest) -> str:
    """Where to go after the second step: the page first asked for, else the start page."""
    url = request.session.pop(NEXT_URL, "")
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    return url if url and safe else resolve_url(settings.LOGIN_REDIRECT_URL)


def second_factor_passed(request: HttpRequest, device: Device) -> None:
    """Mark the session as having passed the second step, under a new session key."""
    otp_login(request, device)
    sessions.session_cycle(request)


def totp_verify(*, request: HttpRequest, code: str) -> Device:
    """Pass the second step with a code from the app; refused (ValidationError) otherwise.
    A code is accepted once; after wrong ones django-otp makes the user wait longer each time."""
    device = totp_device(request.user)
    code = "".join(code.split())
    refuse_while_throttled(device)
    verified = device and verify_token(request.user, device.persistent_id, code)
    if not verified:
        raise ValidationError(
            {"code": _("This code is not right. Type the code your app shows now.")}
        )
    second_factor_passed(request, verified)
    return verified


def refuse_while_throttled(device: Device | None) -> None:
    """After a wrong code django-otp refuses every code for a while (1, 2, 4, ... seconds):
    say so, rather than calling a right code wrong."""
    if device is not None and not device.verify_is_allowed()[0]:
        raise ValidationError(
            {"code": _("Too many wrong codes in a row. Wait a few seconds and try again.")}
        )


def recovery_code_use(*, request: HttpRequest, code: str) -> Device:
    """Pass the second step with a recovery code; the code is used up."""
    code = "".join(ch for ch in code.lower() if ch.isalnum())
    device = StaticDevice.objects.filter(user=request.user, confirmed=True).first()
    refuse_while_throttled(device)
    verified = device and verify_token(request.user, device.persistent_id, code)
    if not verified:
        raise ValidationError({"code": _("This recovery code is not right or was used before.")})
    second_factor_passed(request, verified)
    access_log_write(
        user=request.user,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.AUDIT,
        person=request.user,
        detail="tweestapsverificatie: herstelcode gebruikt",
    )
    return verified


# -- setting up and changing --------------------------------------------------------------------


def totp_setup_device(user: User) -> TOTPDevice:
    """The app being set up: an unconfirmed device with a fresh secret, kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as an app asks for it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_code(device: TOTPDevice) -> str:
    """The app's setup link as a QR code, an SVG data URI (the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_setup_confirm(*, actor: User, request: HttpRequest, code: str) -> TOTPDevice:
    """Confirm the app being set up with a code it shows; it replaces an earlier app. The
    session passes the second step with it; recovery codes are made when there are none."""
    device = totp_setup_device(actor)
    if not device.verify_token("".join(code.split())):
        raise ValidationError(
            {"code": _("This code is not right. Type the code your app shows now.")}
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()[0]
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        log_second_factor_change(actor, request, "app ingesteld")
    if replaced:
        other_sessions_end(request)
    if not request.user.is_verified():
        second_factor_passed(request, device)
    if recovery_codes_left(actor) == 0:
        recovery_codes_make(actor=actor, request=request)
    return device


def recovery_codes_make(*, actor: User, request: HttpRequest) -> list[str]:
    """New recovery codes instead of the old ones, kept in the session to be shown once."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=actor).delete()
        device = StaticDevice.objects.create(user=actor, name="herstelcodes", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        log_second_factor_change(actor, request, "nieuwe herstelcodes")
    request.session[NEW_RECOVERY_CODES] = codes
    return codes


def recovery_codes_to_show(request: HttpRequest) -> list[str]:
    """The codes just made, in groups of four; an empty list the second time."""
    codes = request.session.pop(NEW_RECOVERY_CODES, [])
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def may_remove(user: User, *, app: bool = False, passkey: bool = False) -> bool:
    """With ``REQUIRE_2FA`` one second factor always stays: another one comes first."""
    if not settings.REQUIRE_2FA:
        return True
    apps = TOTPDevice.objects.filter(user=user, confirmed=True).count() - app
    return apps + passkeys(user).count() - passkey > 0


def totp_remove(*, actor: User, request: HttpRequest) -> None:
    """Remove the app; the user's other sessions end."""
    if not may_remove(actor, app=True):
        raise ValidationError(_("Add a passkey first: you need at least one second step."))
    TOTPDevice.objects.filter(user=actor).delete()
    log_second_factor_change(actor, request, "app verwijderd")
    other_sessions_end(request)


def passkey_remove(*, actor: User, request: HttpRequest, passkey: WebAuthnCredential) -> None:
    """Remove one of one's own passkeys; the user's other sessions end."""
    if passkey.user_id != actor.pk:
        raise ValidationError(_("This passkey is not yours."))
    if not may_remove(actor, passkey=True):
        raise ValidationError(
            _("Add another passkey or an app first: you need at least one second step.")
        )
    passkey.delete()
    log_second_factor_change(actor, request, "passkey verwijderd")
    other_sessions_end(request)


def other_sessions_end(request: HttpRequest) -> None:
    UserSession.objects.filter(user=request.user).exclude(
        session_key=request.session.session_key
    ).end()


def log_second_factor_change(user: User, request: HttpRequest | None, what: str) -> None:
    access_log_write(
        user=user,
        request=request,
        action=Action.CHANGE,
        purpose=Purpose.AUDIT,
        person=user,
        detail=f"tweestapsverificatie: {what}",
    )


def second_factor_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """The application manager's reset, for a user who lost their phone and codes: every
    second factor goes and every session ends. With ``REQUIRE_2FA`` the user sets a new one up
    at their next login, after their password."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
        ended = UserSession.objects.filter(user=user).end()
        access_log_write(
            user=actor,
            request=request,
            action=Action.CHANGE,
            purpose=Purpose.ADMINISTRATION,
            person=user,
            detail=f"tweestapsverificatie hersteld ({ended} sessies beëindigd)",
        )


def email_change(*, actor: User, request: HttpRequest, email: str) -> User:
    """A user's own email address (where password-reset links go), written to the access log.
    The view asks for the password first."""
    actor.email = email
    actor.full_clean(validate_unique=False)
    actor.save(update_fields=["email"])
    access_log_write(
        user=actor,
        request=request,
        action=Action.CHANGE,
        purpose=Purpose.AUDIT,
        person=actor,
        detail="e-mailadres gewijzigd",
    )
    return actor
