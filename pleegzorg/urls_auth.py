"""Account pages, under Django's standard names so that its views and admin find them."""

from django.urls import path

from pleegzorg.views import auth, mfa

urlpatterns = [
    path("inloggen/", auth.LoginView.as_view(), name="login"),
    path("uitloggen/", auth.logout, name="logout"),
    path("wachtwoord-vergeten/", auth.password_reset, name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", auth.password_reset_done, name="password_reset_done"),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/", auth.password_reset_complete, name="password_reset_complete"
    ),
    path("wachtwoord-wijzigen/", auth.password_change, name="password_change"),
    path("wachtwoord-wijzigen/klaar/", auth.password_change_done, name="password_change_done"),
    path("e-mailadres-wijzigen/", mfa.email_change, name="email_change"),
]
