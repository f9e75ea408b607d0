from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PleegzorgConfig(AppConfig):
    name = "pleegzorg"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from pleegzorg import (
            checks,  # noqa: F401  (registers the system checks)
            db,
            mfa,
            sessions,
        )

        sessions.connect()
        mfa.connect()
        db.remember_long_queries()
