"""The case-file pages ``manage.py bench`` measures (pleegzorg.bench), each as its role."""

from placements import permissions
from placements.models import Child, FosterFamily, Placement
from pleegzorg.bench import register_count, register_page


def _first_placement(user) -> Placement:
    return permissions.placements_policy.visible_to(user).active().order_by("pk").first()


def first_child(user) -> str:
    return f"/kinderen/{_first_placement(user).child_id}/"


def first_family(user) -> str:
    return f"/pleeggezinnen/{_first_placement(user).family_id}/"


register_page("Caseload (caseworker)", "werker", "/caseload/")
register_page("Caseload (team lead), searched", "teamleider", "/caseload/?q=de")
register_page("Caseload (team lead), page 2", "teamleider", "/caseload/?pagina=2")
register_page("Child file", "werker", first_child)
register_page("Foster family", "werker", first_family)
register_page("My meetings", "werker", "/overleggen/")
register_page("Dashboard (team lead)", "teamleider", "/dashboard/", kind="dashboard")
register_page("Dashboard (all teams)", "beheer", "/dashboard/", kind="dashboard")
register_count("children", lambda: Child.objects.count())
register_count("placements", lambda: Placement.objects.count())
register_count("foster families", lambda: FosterFamily.objects.count())
