from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Placements")

    def ready(self) -> None:
        # Each import registers what this app adds to the core: seed steps (demo), reminder
        # kinds (meetings.reminders), menu entries and start-page actions (menu), the parts of a
        # case file (retention.rules).
        from placements import demo, menu, permissions  # noqa: F401
        from placements.meetings import demo as meetings_demo  # noqa: F401
        from placements.meetings import reminders  # noqa: F401
        from placements.models import Child, FosterFamily
        from placements.retention import rules  # noqa: F401
        from pleegzorg.permissions import register_person_policy

        # A team lead sees in the access log every access to the children in their team's care.
        register_person_policy(Child, permissions.children)
        register_person_policy(FosterFamily, permissions.families)
