"""Paginators for lists that a plain ``COUNT`` serves badly.

:class:`OneQueryPaginator`: a page of a queryset in one query, its rows with the number of all
rows beside each (``COUNT(*) OVER ()``), instead of a ``COUNT`` and then the rows.

The same pages as Django's :class:`~django.core.paginator.Paginator`: a number that is not a
whole number gives the first page; past the end, below 1 or without any rows, Django's own
``get_page`` answers (it counts, then gives the last page), so those cost the two queries they
always did. Only without orphans: with them the last page's size depends on the count.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property


class OneQueryPaginator(Paginator):
    """``rows(bottom, top)``, when given, reads a page's rows instead of the queryset: the
    same rows in the same order, each with ``rows_in_all`` (SQL compiled once, say); the
    queryset still answers what Django's own ``get_page`` asks, and may then be lazy (a
    ``SimpleLazyObject``): it is built only when Django's ``get_page`` needs it."""

    def __init__(
        self, object_list, per_page, *, rows: Callable[[int, int], list] | None = None, **kwargs
    ):
        if kwargs.get("orphans"):
            raise ValueError("OneQueryPaginator takes no orphans")
        self._given_rows = rows
        super().__init__(object_list, per_page, **kwargs)
        self._rows = rows or self._page_rows

    def _check_object_list_is_ordered(self) -> None:
        # Asking a lazy queryset whether it is ordered would build it; ``rows`` gives the order.
        if self._given_rows is None:
            super()._check_object_list_is_ordered()

    def _page_rows(self, bottom: int, top: int) -> list:
        return list(self.object_list.annotate(rows_in_all=Window(Count("pk")))[bottom:top])

    def get_page(self, number) -> Page:
        wanted = _whole(number)
        if wanted is None:
            wanted = 1  # as Django: what is not a whole number gives the first page
        if wanted < 1:
            return super().get_page(number)
        bottom = (wanted - 1) * self.per_page
        rows = self._rows(bottom, bottom + self.per_page)
        if not rows:
            return super().get_page(number)
        self.count = rows[0].rows_in_all
        return Page(rows, wanted, self)


def _whole(number) -> int | None:
    """``number`` as Django's ``validate_number`` reads it, without counting the rows."""
    if isinstance(number, float) and not number.is_integer():
        return None
    try:
        return int(number)
    except (TypeError, ValueError):
        return None


class CappedPaginator(Paginator):
    """Pages of a queryset counted up to ``most`` rows: ``count`` is never more than ``most``,
    and ``more`` says whether there are rows beyond them.

    Counting every matching row of a table that only grows (the access log) reads as many rows
    as match, more every day; this reads at most ``most`` + 1, however large the table, in no
    particular order (the database takes whichever rows it finds first, through an index when it
    has one). The pages reach the first ``most`` rows of the list; the rest are found by
    narrowing it.
    """

    def __init__(self, object_list: QuerySet, per_page, *, most: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.most = most

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by()[: self.most + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.most)

    @property
    def more(self) -> bool:
        return self._counted > self.most
