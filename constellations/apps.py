from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstellationsConfig(AppConfig):
    name = "constellations"
    verbose_name = _("Constellations")

    def ready(self) -> None:
        # Each import registers what this app adds to the core: its pages to benchmark (bench),
        # its seed step (demo), its kind of reminder, its menu entry and start-page actions
        # (menu), and its parts of a child's case file (retention).
        from constellations import access_request as parts
        from constellations import bench, demo, menu, reminders, retention  # noqa: F401
        from constellations.panels import child_stays_panel
        from pleegzorg import access_request, panels

        # A section on the child file of placements (which imports nothing from here).
        panels.register(
            "child_file",
            name="stays",
            template="constellations/includes/child_stays_panel.html",
            context=child_stays_panel,
        )
        # What this app holds about a child (and their parent) in the overview of an access
        # request (placements.inzage, slot "child").
        access_request.register_part("child", key="respite_stays", source=parts.child_stays_part)
        access_request.register_part("child", key="gatherings", source=parts.gatherings_part)
        access_request.register_part(
            "child", key="parent_participation", source=parts.parent_participation_part
        )
