"""The second login step and the page to set it up (rules in ``pleegzorg.mfa``).

These pages are open to a logged-in session that has not passed the second step
(``SecondFactorMiddleware`` exempts the ``two_factor`` namespace): each page that changes a
second factor therefore checks itself that the user either has none yet or passed the step,
and that the password was given recently.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pleegzorg import mfa, sessions
from pleegzorg.forms import CodeForm, EmailForm, PasswordConfirmForm, RecoveryCodeForm
from pleegzorg.views.forms import submit


def _confirm_password_first(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('two_factor:confirm_password')}?{query}")


def may_change_second_factor(view):
    """Logged in; passed the second step unless there is no second factor yet; the password
    given within ``REAUTH_MINUTES`` (a POST without it is refused the same way)."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_verified() and mfa.has_second_factor(request.user):
            return redirect("two_factor:verify")
        if not sessions.password_given_recently(request.session):
            return _confirm_password_first(request)
        return view(request, *args, **kwargs)

    return guarded


@login_required
def verify(request):
    """After the password: a passkey, a code from the app, or a way to a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(mfa.next_url(request))
    if not mfa.has_second_factor(user):
        return redirect("two_factor:manage" if mfa.must_pass(request) else "pleegzorg:start")
    form = CodeForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda *, actor, request, code: mfa.totp_verify(request=request, code=code),
        success=lambda _device: _("You are logged in."),
        redirect_to=lambda _device: mfa.next_url(request),
    )
    context = {"form": form, "has_app": mfa.totp_device(user) is not None}
    context["has_passkey"] = mfa.passkeys(user).exists()
    return done or render(request, "pleegzorg/auth/mfa_verify.html", context)


@login_required
def recovery(request):
    """The second step with a recovery code, for a user without their phone or passkey."""
    if request.user.is_verified():
        return redirect(mfa.next_url(request))
    form = RecoveryCodeForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda *, actor, request, code: mfa.recovery_code_use(request=request, code=code),
        success=lambda _device: _(
            "You are logged in with a recovery code. It cannot be used again."
        ),
        redirect_to=lambda _device: reverse("two_factor:manage"),
    )
    return done or render(request, "pleegzorg/auth/mfa_recovery.html", {"form": form})


@login_required
def manage(request):
    """Logging in with two steps: what the user has, and setting up or changing it."""
    user = request.user
    if not user.is_verified() and mfa.has_second_factor(user):
        return redirect("two_factor:verify")
    context = {
        "app": mfa.totp_device(user),
        "passkeys": list(mfa.passkeys(user)),
        "recovery_codes_left": mfa.recovery_codes_left(user),
        "required": settings.REQUIRE_2FA,
        "can_remove_app": mfa.may_remove(user, app=True),
        "can_remove_passkey": mfa.may_remove(user, passkey=True),
    }
    return render(request, "pleegzorg/auth/mfa_manage.html", context)


@may_change_second_factor
def app_setup(request):
    """Set up (or replace) the authenticator app: scan the code, type what the app shows."""
    device = mfa.totp_setup_device(request.user)
    form = CodeForm(request.POST or None)
    done = submit(
        request,
        form,
        mfa.totp_setup_confirm,
        success=lambda _device: _("Your app is set up. From now on you log in with two steps."),
        redirect_to=lambda _device: reverse("two_factor:recovery_codes"),
    )
    context = {
        "form": form,
        "qr_code": mfa.totp_qr_code(device),
        "secret": mfa.totp_secret(device),
        "replaces": mfa.totp_device(request.user) is not None,
    }
    return done or render(request, "pleegzorg/auth/mfa_app_setup.html", context)


@require_POST
@may_change_second_factor
def app_remove(request):
    try:
        mfa.totp_remove(actor=request.user, request=request)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, _("The app is removed: it no longer gives codes for Pleegzorg."))
    return redirect("two_factor:manage")


@may_change_second_factor
def passkey_add(request):
    """Add a passkey (the browser asks for a fingerprint, face or PIN): django-otp-webauthn's
    script talks to ``otp_webauthn:credential-registration-*``."""
    return render(request, "pleegzorg/auth/mfa_passkey_add.html")


@require_POST
@may_change_second_factor
def passkey_remove(request, pk: int):
    passkey = get_object_or_404(mfa.passkeys(request.user), pk=pk)
    try:
        mfa.passkey_remove(actor=request.user, request=request, passkey=passkey)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, _("The passkey is removed."))
    return redirect("two_factor:manage")


@login_required
def recovery_codes(request):
    """New recovery codes (POST), shown once; afterwards only how many are left."""
    if request.method == "POST":
        return recovery_codes_make(request)
    if not request.user.is_verified() and mfa.has_second_factor(request.user):
        return redirect("two_factor:verify")
    context = {
        "codes": mfa.recovery_codes_to_show(request),
        "left": mfa.recovery_codes_left(request.user),
    }
    return render(request, "pleegzorg/auth/mfa_recovery_codes.html", context)


@may_change_second_factor
def recovery_codes_make(request):
    mfa.recovery_codes_make(actor=request.user, request=request)
    return redirect("two_factor:recovery_codes")


@login_required
def confirm_password(request):
    """The password again, before a change to how one logs in or to one's email address."""
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        sessions.password_confirmed(request)
        url = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
        return redirect(url if url and safe else reverse("two_factor:manage"))
    return render(request, "pleegzorg/auth/confirm_password.html", {"form": form})


@may_change_second_factor
def email_change(request):
    """Change one's own email address (where password-reset links go), password first."""
    form = EmailForm(request.POST or None, instance=request.user)
    done = submit(
        request,
        form,
        lambda *, actor, request, email: mfa.email_change(
            actor=actor, request=request, email=email
        ),
        success=lambda user: _("Your email address is now %(email)s.") % {"email": user.email},
        redirect_to=lambda _user: reverse("two_factor:manage"),
    )
    return done or render(request, "pleegzorg/auth/email_change.html", {"form": form})
