"""The bell and the notices behind it: everyone sees and marks only their own."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from pleegzorg.models import Notification
from tests.matrix import PERSONAS

LIST = reverse("pleegzorg:notifications")
READ_ALL = reverse("pleegzorg:notifications_read_all")


def notify(user, text="Plan het startgesprek voor Sanne.", url="/caseload/", read=False):
    return Notification.objects.create(
        user=user, text=text, url=url, read_at=timezone.now() if read else None
    )


def read_url(notification) -> str:
    return reverse("pleegzorg:notification_read", args=[notification.pk])


def open_url(notification) -> str:
    return reverse("pleegzorg:notification_open", args=[notification.pk])


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def stranger(other_caseworker):
    """Someone else's notice, which nobody in the tests below may see or mark."""
    return notify(other_caseworker, text="Alleen voor Wim: het verslag van Daan ontbreekt.")


# -- the bell -------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(client, caseworker, stranger, english):
    for _ in range(3):
        notify(caseworker)
    notify(caseworker, read=True)
    client.force_login(caseworker)

    response = client.get(reverse("pleegzorg:start"))

    bell = response.content.decode().split('id="notification-bell"')[1].split("</a>")[0]
    assert 'class="bell__count" aria-hidden="true">3<' in bell
    assert "(3 unread)" in bell
    assert f'href="{LIST}"' in bell


def test_the_bell_without_unread_notices_shows_no_count(client, caseworker, stranger):
    notify(caseworker, read=True)
    client.force_login(caseworker)
    response = client.get(reverse("pleegzorg:start"))
    assert 'id="notification-bell"' in response.content.decode()
    assert "bell__count" not in response.content.decode()


def test_the_bell_shows_99_plus_for_more(client, caseworker):
    Notification.objects.bulk_create(
        Notification(user=caseworker, text=f"Melding {i}") for i in range(120)
    )
    client.force_login(caseworker)
    response = client.get(reverse("pleegzorg:start"))
    assert 'aria-hidden="true">99+<' in response.content.decode()


def test_the_bell_costs_one_query(client, caseworker, django_assert_num_queries):
    client.force_login(caseworker)
    client.get(reverse("pleegzorg:start"))  # warm up: session, content types
    notify(caseworker)
    with django_assert_num_queries(0):
        from pleegzorg.context_processors import NotificationBell

        bell = NotificationBell(caseworker)
    with django_assert_num_queries(1):
        assert bell.count == 1
        assert bell.label == "1"


def test_no_bell_for_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "notification-bell" not in response.content.decode()


# -- who sees what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_only_their_own_notices(persona, persona_client, request, stranger):
    client = persona_client(persona)
    if persona == "anonymous":
        response = client.get(LIST)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        return
    user = request.getfixturevalue(persona)
    own = notify(user, text=f"Melding voor {user.username}")

    response = client.get(LIST)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [own]
    assert own.text in response.content.decode()
    assert stranger.text not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_marks_or_opens_someone_elses_notice(persona, matrix, stranger):
    expected = 302 if persona == "anonymous" else 404
    matrix.check([(persona, read_url(stranger), expected)], method="post")
    matrix.check([(persona, open_url(stranger), expected)])
    stranger.refresh_from_db()
    assert stranger.read_at is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_mark_all_touches_only_ones_own(persona, matrix, stranger):
    # Back to the list for those logged in; to the login page for anonymous visitors.
    matrix.check([(persona, READ_ALL, 302)], method="post")
    stranger.refresh_from_db()
    assert stranger.read_at is None


def test_a_notice_that_does_not_exist_answers_404(client, caseworker):
    client.force_login(caseworker)
    assert client.post(reverse("pleegzorg:notification_read", args=[999999])).status_code == 404


# -- the list ------------------------------------------------------------------------------------


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    client, caseworker, settings, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(user=caseworker, text=f"Melding {i}") for i in range(settings.PAGE_SIZE + 15)
    )
    client.force_login(caseworker)
    client.get(LIST)

    # session, user, the bell's count, the page's count and rows; savepoints of the session save
    with django_assert_max_num_queries(8):
        first = client.get(LIST)
    with django_assert_max_num_queries(8):
        second = client.get(LIST, {"pagina": 2})

    assert len(first.context["page"].object_list) == settings.PAGE_SIZE
    assert len(second.context["page"].object_list) == 15
    assert first.context["page"].object_list[0].text == f"Melding {settings.PAGE_SIZE + 14}"


def test_an_empty_list_says_what_will_appear(client, caseworker, english):
    client.force_login(caseworker)
    response = client.get(LIST)
    assert "No notifications yet." in response.content.decode()


def test_the_list_with_htmx_returns_only_the_list(client, caseworker):
    notify(caseworker)
    client.force_login(caseworker)
    response = client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="notification-list">')
    assert "<header" not in html


# -- marking as read -----------------------------------------------------------------------------


def test_mark_one_as_read_and_go_back(client, caseworker):
    notice, other = notify(caseworker), notify(caseworker)
    client.force_login(caseworker)

    response = client.post(read_url(notice), {"next": f"{LIST}?pagina=1"})

    assert response.status_code == 302
    assert response.url == f"{LIST}?pagina=1"
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None
    assert other.read_at is None


def test_mark_as_read_never_redirects_elsewhere(client, caseworker):
    notice = notify(caseworker)
    client.force_login(caseworker)
    response = client.post(read_url(notice), {"next": "https://evil.example/"})
    assert response.url == LIST


def test_mark_as_read_needs_a_post(client, caseworker):
    notice = notify(caseworker)
    client.force_login(caseworker)
    assert client.get(read_url(notice)).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_one_as_read_with_htmx_swaps_the_notice_and_the_bell(client, caseworker):
    notice = notify(caseworker)
    notify(caseworker)
    client.force_login(caseworker)

    response = client.post(read_url(notice), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="notification-{notice.pk}" class="notification">')
    assert read_url(notice) not in html  # no button left for a read notice
    assert 'id="notification-bell"' in html and 'hx-swap-oob="true"' in html
    assert 'aria-hidden="true">1<' in html
    assert 'id="notification-count"' in html


def test_reading_twice_keeps_the_first_moment(client, caseworker):
    notice = notify(caseworker, read=True)
    first = notice.read_at
    client.force_login(caseworker)
    client.post(read_url(notice))
    notice.refresh_from_db()
    assert notice.read_at == first


def test_mark_all_as_read(client, caseworker, english):
    for _ in range(3):
        notify(caseworker)
    client.force_login(caseworker)

    response = client.post(READ_ALL, {"next": LIST}, follow=True)

    assert not Notification.objects.filter(user=caseworker, read_at__isnull=True).exists()
    with translation.override("en"):
        assert "3 notifications marked as read." in response.content.decode()
    assert "bell__count" not in response.content.decode()


def test_mark_all_as_read_with_htmx_swaps_the_list_and_the_bell(client, caseworker):
    for _ in range(2):
        notify(caseworker)
    client.force_login(caseworker)
    response = client.post(READ_ALL, {"pagina": 1}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="notification-list">')
    assert 'id="notification-bell"' in html
    assert "bell__count" not in html


# -- opening -----------------------------------------------------------------------------------


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, caseworker):
    notice = notify(caseworker, url="/caseload/")
    client.force_login(caseworker)
    response = client.get(open_url(notice))
    assert response.status_code == 302
    assert response.url == "/caseload/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_never_links_off_site(client, caseworker):
    notice = notify(caseworker, url="https://evil.example/")
    client.force_login(caseworker)
    assert client.get(open_url(notice)).url == LIST
