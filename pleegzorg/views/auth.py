"""Login, lockout and password pages: Django's views with our templates and messages."""

from __future__ import annotations

from axes.helpers import get_client_ip_address, get_cool_off
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import time_format

from pleegzorg import selectors, sessions
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
# A reset never logs in (post_reset_login): the user then logs in with both steps, so a
# stolen mailbox alone is not enough. The new password ends every session (User.save).
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="pleegzorg/auth/password_reset_confirm.html",
    post_reset_login=False,
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="pleegzorg/auth/password_reset_complete.html"
)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, which asks for the old password (that is the re-authentication). The new
    password ends every other session (``User.save``); this one goes on under a new key."""

    template_name = "pleegzorg/auth/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.session_index(self.request)
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="pleegzorg/auth/password_change_done.html"
)
logout = auth_views.LogoutView.as_view()
