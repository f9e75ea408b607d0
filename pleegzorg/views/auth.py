"""Login, lockout and password pages: Django's views with our templates and messages."""

from __future__ import annotations

from axes.helpers import get_client_ip_address, get_cool_off
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import time_format

from pleegzorg import selectors
from pleegzorg.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "pleegzorg/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def locked_out(request, credentials=None, *args, **kwargs):
    """Shown by django-axes instead of the login form while a username is locked out.

    Says when the user may try again; says the same for usernames that do not exist.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    cool_off = get_cool_off(request)
    attempt = selectors.last_failed_login(username, get_client_ip_address(request))
    retry_at = (attempt.attempt_time if attempt else timezone.now()) + cool_off
    minutes = max(1, round((retry_at - timezone.now()).total_seconds() / 60))
    context = {"minutes": minutes, "retry_time": time_format(timezone.localtime(retry_at), "H:i")}
    return render(request, "pleegzorg/auth/locked_out.html", context, status=429)


password_reset = auth_views.PasswordResetView.as_view(
    template_name="pleegzorg/auth/password_reset_form.html",
    email_template_name="pleegzorg/auth/password_reset_email.txt",
    subject_template_name="pleegzorg/auth/password_reset_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="pleegzorg/auth/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="pleegzorg/auth/password_reset_confirm.html",
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="pleegzorg/auth/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="pleegzorg/auth/password_change_form.html",
    success_url=reverse_lazy("password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="pleegzorg/auth/password_change_done.html"
)
logout = auth_views.LogoutView.as_view()
