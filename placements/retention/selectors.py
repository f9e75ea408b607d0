"""Reads for the review of case files past their retention period."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from placements.models import Child, ParentChild, Placement
from pleegzorg.models import User
from pleegzorg.permissions import Policy


class ReviewPolicy(Policy[Child]):
    """The application manager reviews the files due for review, and sees nothing else here.
    A file not due (it changed within the period) is not in the review at all: 404."""

    model = Child

    def visible_to(self, user: User) -> QuerySet[Child]:
        if not user.is_app_manager:
            return Child.objects.none()
        return Child.objects.due_for_review()

    def can_view(self, user: User, obj: Child) -> bool:
        return self.visible_to(user).filter(pk=obj.pk).exists()

    def can_change(self, user: User, obj: Child) -> bool:
        return self.can_view(user, obj)


review = ReviewPolicy()


def files_for_review(user: User) -> QuerySet[Child]:
    """The files due for review, the longest unchanged first, with their placements and
    families (three queries whatever their number, plus the page count)."""
    placements = Placement.objects.select_related("family").order_by("start_date", "pk")
    return (
        review.visible_to(user)
        .prefetch_related(Prefetch("placements", queryset=placements))
        .order_by("file_changed_on", "last_name", "first_name", "pk")
    )


def file_for_review(user: User) -> QuerySet[Child]:
    """One file, for its page: also its parents, and which of them have another child here
    (those stay when the file goes)."""
    links = ParentChild.objects.select_related("parent").prefetch_related("parent__child_links")
    return files_for_review(user).prefetch_related(Prefetch("parent_links", queryset=links))
