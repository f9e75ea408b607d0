from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstellationsConfig(AppConfig):
    name = "constellations"
    verbose_name = _("Constellations")

    def ready(self) -> None:
        from constellations.demo import seed_constellations
        from placements.demo import seed_case_files
        from placements.demo_meetings import seed_meetings
        from pleegzorg.demo import SEED_STEPS

        # seed_demo: the constellations are built on the case files' families and placements, so
        # they come after them whatever order the apps are loaded in (placements' own ready()
        # adds its steps only if they are not there yet).
        for step in (seed_case_files, seed_meetings, seed_constellations):
            if step not in SEED_STEPS:
                SEED_STEPS.append(step)

        # -- panels on other apps' pages (issue 9: placements imports nothing from here) --
        from constellations.panels import child_stays_panel
        from pleegzorg import panels

        panels.register(
            "child_file",
            name="stays",
            template="constellations/includes/child_stays_panel.html",
            context=child_stays_panel,
        )
        # -- end of panels --
