"""What constellations add to other apps' pages (registered in ``ConstellationsConfig.ready``)."""

from __future__ import annotations

from constellations.selectors import child_stays


def child_stays_panel(user, child) -> dict:
    """The child file's "Respite stays" panel: the child's stays at hub homes. One query; the
    child file has checked that the user may see the child."""
    return {"stays": child_stays(child)}
