from functools import cached_property

from pleegzorg import request_queries
from pleegzorg.navigation import navigation_for


class NotificationBell:
    """The unread count for the bell in the header: one indexed COUNT (compiled once per
    process), and only when a template asks for it (htmx partials without the header run no
    query)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        if not self.user.is_authenticated:
            return 0
        return request_queries.unread_notifications(self.user.pk)

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


def navigation(request):
    return {
        "nav_items": navigation_for(request.user, request.path),
        "notification_bell": NotificationBell(request.user),
    }
