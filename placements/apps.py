from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Placements")

    def ready(self) -> None:
        # Each import registers what this app adds to the core: its pages to benchmark (bench),
        # seed steps (demo), reminder kinds (meetings.reminders), menu entries and start-page
        # actions (menu), the parts of a case file (retention.rules).
        from placements import bench, demo, inzage, menu, permissions  # noqa: F401
        from placements.meetings import demo as meetings_demo  # noqa: F401
        from placements.meetings import reminders  # noqa: F401
        from placements.models import Child, FosterFamily
        from placements.retention import rules  # noqa: F401
        from pleegzorg import panels
        from pleegzorg.permissions import register_break_glass, register_person_policy

        # A team lead sees in the access log every access to the children in their team's care.
        register_person_policy(Child, permissions.children)
        register_person_policy(FosterFamily, permissions.families)
        # After the aftercare period, the child's file and the family open with a stated reason.
        register_break_glass("pleegkind", Child, permissions.children, url_name="placements:child")
        register_break_glass(
            "pleeggezin", FosterFamily, permissions.families, url_name="placements:family"
        )
        # The child file's "Inzageverzoeken": the overviews made of it (placements.inzage),
        # after the panels of other apps.
        panels.register(
            "child_file",
            name="access_requests",
            template="placements/includes/access_requests_panel.html",
            context=inzage.access_requests_panel,
            order=900,
        )
