"""Who sees the outcome monitor of which region: team leads the regions of their teams,
application managers every region; the other roles do not use it (403)."""

from __future__ import annotations

from django.db.models import QuerySet

from constellations.outcomes.selectors import regions_visible_to
from pleegzorg.models import Region, User
from pleegzorg.permissions import Policy

ROLES = (User.Role.TEAM_LEAD, User.Role.APP_MANAGER)


class RegionPolicy(Policy[Region]):
    model = Region

    def visible_to(self, user: User) -> QuerySet[Region]:
        return regions_visible_to(user)

    def can_view(self, user: User, obj: Region) -> bool:
        return user.is_app_manager or (user.is_team_lead and obj.teams.filter(lead=user).exists())


regions = RegionPolicy()
