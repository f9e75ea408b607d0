"""The constellation pages ``manage.py bench`` measures (pleegzorg.bench), each as its role."""

from constellations import permissions
from constellations.models import Constellation, RespiteStay
from constellations.outcomes import floor as outcomes
from pleegzorg.bench import register_count, register_page

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
    # Kept or computed afresh, the floor is the same: computing the figures from the tables.
    register_page(
        f"Outcomes ({_label})",
        _username,
        "/uitkomsten/",
        kind="dashboard",
        floor=outcomes.statements,
    )
    register_page(
        f"Outcomes ({_label}), computed afresh",
        _username,
        "/uitkomsten/",
        kind="dashboard",
        fresh=True,
        floor=outcomes.statements,
    )
register_count("constellations", lambda: Constellation.objects.count())
register_count("respite stays", lambda: RespiteStay.objects.count())
