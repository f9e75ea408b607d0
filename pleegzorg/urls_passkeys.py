"""django-otp-webauthn's endpoints under its own names (its script reverses them), served by
this project's subclasses (``pleegzorg.views.passkeys``)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from pleegzorg.views import passkeys

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registratie/begin/",
        passkeys.BeginRegistration.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registratie/klaar/",
        passkeys.CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "inloggen/begin/",
        passkeys.BeginAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "inloggen/klaar/",
        passkeys.CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "vertalingen/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
