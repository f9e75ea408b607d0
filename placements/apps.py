from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Placements")

    def ready(self) -> None:
        from placements import permissions
        from placements.demo import seed_case_files
        from placements.demo_meetings import seed_meetings
        from placements.models import Child, FosterFamily
        from pleegzorg.demo import SEED_STEPS
        from pleegzorg.permissions import register_person_policy

        # A team lead sees in the access log every access to the children in their team's care.
        register_person_policy(Child, permissions.children)
        register_person_policy(FosterFamily, permissions.families)
        # seed_demo: the case files (children, families, placements) after the core's accounts.
        # Then their meetings, which the reminder scan at the end of seeding reads.
        for step in (seed_case_files, seed_meetings):
            if step not in SEED_STEPS:
                SEED_STEPS.append(step)
