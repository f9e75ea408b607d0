"""The constellation pages ``manage.py bench`` measures (pleegzorg.bench), each as its role."""

from constellations import permissions
from constellations.models import Constellation, RespiteStay
from placements.bench import first_placement
from pleegzorg.bench import Statement, register_count, register_floor_part, register_page

FIDELITY = "/constellaties/modeltrouw/"


def own(suffix: str = ""):
    """The path of the user's first constellation, with ``suffix`` after it."""

    def path(user) -> str:
        constellation = permissions.constellations.visible_to(user).order_by("pk").first()
        return f"/constellaties/{constellation.pk}/{suffix}"

    return path


register_page("Constellations (liaison)", "begeleider", "/constellaties/")
register_page("Constellation page (liaison)", "begeleider", own())
register_page("Constellation page (hub-home parent)", "hubhome", own())
register_page("Calendar, week", "hubhome", own("kalender/"))
register_page("Calendar, month", "hubhome", own("kalender/?weergave=maand"))
register_page("Log a stay", "hubhome", own("logeren/nieuw/"))
register_page("Fidelity (liaison)", "begeleider", FIDELITY, kind="dashboard")
register_page("Fidelity (team lead)", "teamleider", FIDELITY, kind="dashboard")
register_page("Fidelity, one constellation", "begeleider", own("modeltrouw/"), kind="dashboard")
for _label, _username in [("team lead", "teamleider"), ("all regions", "beheer")]:
    register_page(f"Outcomes ({_label})", _username, "/uitkomsten/", kind="dashboard")
    register_page(
        f"Outcomes ({_label}), computed afresh",
        _username,
        "/uitkomsten/",
        kind="dashboard",
        fresh=True,
    )
register_count("constellations", lambda: Constellation.objects.count())
register_count("respite stays", lambda: RespiteStay.objects.count())


# -- what this app adds to other apps' pages, in their floors (pleegzorg.bench) --------------


def hub_home_start_floor(user) -> list[Statement]:
    """A hub-home parent's start page: their constellations, by name (menu.hub_home_actions)."""
    if not user.is_hub_home_parent:
        return []
    sql = """
        SELECT c.id, c.name FROM constellations_constellation c
          JOIN constellations_hubhome h ON h.constellation_id = c.id
          JOIN constellations_hubhome_parents hp ON hp.hubhome_id = h.id
         WHERE hp.user_id = %s ORDER BY c.name"""
    return [(sql, [user.pk])]


def child_stays_floor(user) -> list[Statement]:
    """The child file's "Respite stays" panel (panels.child_stays_panel): the child's last 20
    stays, with the constellation and the bed."""
    sql = """
        SELECT s.arrival, s.departure, s.planned, s.reason, s.status, c.name, b.name
          FROM constellations_respitestay s
          JOIN constellations_constellation c ON c.id = s.constellation_id
          JOIN constellations_bed b ON b.id = s.bed_id
         WHERE s.child_id = %s ORDER BY s.arrival DESC LIMIT 20"""
    return [(sql, [first_placement(user).child_id])]


register_floor_part("Start page (hub-home parent)", hub_home_start_floor)
register_floor_part("Child file", child_stays_floor)
