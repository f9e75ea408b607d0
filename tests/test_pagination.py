"""OneQueryPaginator gives the pages Django's Paginator gives, a page in one query;
CappedPaginator counts no further than it is told to."""

import pytest
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.utils.functional import SimpleLazyObject

from pleegzorg.factories import RegionFactory
from pleegzorg.models import Region
from pleegzorg.pagination import CappedPaginator, OneQueryPaginator


@pytest.fixture
def regions(db):
    RegionFactory.create_batch(7)
    return Region.objects.order_by("pk")


def _shown(page):
    return (page.number, [r.pk for r in page.object_list], page.paginator.count,
            page.paginator.num_pages, page.has_next(), page.has_previous())  # fmt: skip


@pytest.mark.parametrize("number", [None, "", "1", "2", 3, "3", "4", "0", "-1", "x", "2.0", 2.5])
def test_every_page_is_the_one_django_gives(regions, number):
    assert _shown(OneQueryPaginator(regions, 3).get_page(number)) == _shown(
        Paginator(regions, 3).get_page(number)
    )


def test_a_page_with_rows_is_one_query(regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = OneQueryPaginator(regions, 3).get_page("2")
        assert (page.paginator.count, page.paginator.num_pages, len(page)) == (7, 3, 3)


def test_no_rows_at_all_is_an_empty_first_page(db):
    page = OneQueryPaginator(Region.objects.none(), 3).get_page("1")
    assert (page.number, list(page.object_list), page.paginator.count) == (1, [], 0)


def test_orphans_are_refused(regions):
    with pytest.raises(ValueError, match="orphans"):
        OneQueryPaginator(regions, 3, orphans=1)


def test_a_capped_count_stops_at_the_most_and_says_there_are_more(
    regions, django_assert_num_queries
):
    third_and_fourth = [r.pk for r in regions.all()][2:4]
    with django_assert_num_queries(2):  # the count, then the page
        page = CappedPaginator(regions, 2, most=4).get_page("9")
        assert [r.pk for r in page.object_list] == third_and_fourth
    paginator = page.paginator
    assert (paginator.count, paginator.more, paginator.num_pages, page.number) == (4, True, 2, 2)


@pytest.mark.parametrize("most", [7, 8])
def test_a_capped_count_up_to_the_most_is_exact(regions, most):
    paginator = CappedPaginator(regions, 3, most=most)
    assert (paginator.count, paginator.more, paginator.num_pages) == (7, False, 3)


def test_a_capped_count_reads_one_row_past_the_most(regions, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        assert CappedPaginator(regions, 3, most=4).count == 4
    # One row more than the most tells "more" from "exactly the most", and no more are read.
    assert "LIMIT 5" in captured.captured_queries[0]["sql"]
    assert "ORDER BY" not in captured.captured_queries[0]["sql"]


@pytest.mark.parametrize("number", ["1", "3", "4", "0", "x"])
def test_rows_read_elsewhere_give_django_s_pages_and_build_the_queryset_only_past_the_end(
    regions, number
):
    """With ``rows`` (a page's rows read another way) the queryset may be lazy: it is built
    only where Django's own paginator answers (past the end, below 1), and the pages are
    Django's either way."""
    built = []

    def queryset():
        built.append(True)
        return regions

    def rows(bottom, top):
        return list(regions.annotate(rows_in_all=Window(Count("pk")))[bottom:top])

    lazy = SimpleLazyObject(queryset)
    page = OneQueryPaginator(lazy, 3, rows=rows).get_page(number)
    assert _shown(page) == _shown(Paginator(regions, 3).get_page(number))
    assert bool(built) == (number in ("4", "0")), number
