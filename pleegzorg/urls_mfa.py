"""The second login step and its settings (namespace ``two_factor``: the middleware lets a
session that has not passed the step reach these pages, and each page checks for itself)."""

from django.urls import path

from pleegzorg.views import mfa

app_name = "two_factor"

urlpatterns = [
    path("inloggen/tweede-stap/", mfa.verify, name="verify"),
    path("inloggen/herstelcode/", mfa.recovery, name="recovery"),
    path("inloggen/wachtwoord-bevestigen/", mfa.confirm_password, name="confirm_password"),
    path("inloggen-in-twee-stappen/", mfa.manage, name="manage"),
    path("inloggen-in-twee-stappen/app/", mfa.app_setup, name="app_setup"),
    path("inloggen-in-twee-stappen/app/verwijderen/", mfa.app_remove, name="app_remove"),
    path("inloggen-in-twee-stappen/passkey/", mfa.passkey_add, name="passkey_add"),
    path(
        "inloggen-in-twee-stappen/passkey/<int:pk>/verwijderen/",
        mfa.passkey_remove,
        name="passkey_remove",
    ),
    path("inloggen-in-twee-stappen/herstelcodes/", mfa.recovery_codes, name="recovery_codes"),
]
