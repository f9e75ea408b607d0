"""What every request reads, compiled once per process (pleegzorg.request_queries), answers as
the ORM does: the same session data, the same user, the same unread count."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pleegzorg import navigation, request_queries
from pleegzorg.backends import PasswordBackend
from pleegzorg.factories import UserFactory
from pleegzorg.models import Notification
from pleegzorg.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_a_live_session_reads_as_djangos_database_sessions():
    store = SessionStore()
    store["colour"] = "blauw"
    store.save()
    fresh = SessionStore(store.session_key)
    assert fresh["colour"] == "blauw"
    assert fresh.session_key == store.session_key


def test_an_expired_or_unknown_session_is_empty_and_loses_its_key():
    store = SessionStore()
    store["colour"] = "blauw"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (store.session_key, "x" * 32):
        fresh = SessionStore(key)
        assert "colour" not in fresh
        assert fresh.session_key is None


def test_the_user_is_the_same_row_as_the_orms():
    user = UserFactory()
    fetched = request_queries.user(user.pk)
    expected = get_user_model().objects.get(pk=user.pk)
    names = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(fetched, name) for name in names] == [getattr(expected, name) for name in names]
    assert fetched._state.adding is False
    assert request_queries.user(user.pk + 1000) is None


def test_a_deactivated_user_is_nobody():
    user = UserFactory(is_active=False)
    assert PasswordBackend().get_user(user.pk) is None
    assert PasswordBackend().get_user(UserFactory().pk) is not None


def test_the_unread_count_is_the_orms():
    user, other = UserFactory(), UserFactory()
    assert request_queries.unread_notifications(user.pk) == 0
    Notification.objects.create(user=user, text="een")
    Notification.objects.create(user=user, text="twee")
    Notification.objects.create(user=user, text="gelezen", read_at=timezone.now())
    Notification.objects.create(user=other, text="niet van jou")
    assert request_queries.unread_notifications(user.pk) == 2
    assert request_queries.unread_notifications(other.pk) == 1


def test_a_query_whose_parameters_are_not_its_arguments_is_refused():
    def build(pk):
        return get_user_model().objects.filter(pk=pk, username="vast")

    with pytest.raises(ValueError, match="not the arguments"):
        request_queries.fetch("test: a constant among the parameters", build, (1,))


def test_registering_a_menu_entry_forgets_the_menus_built():
    user = UserFactory(role=get_user_model().Role.LIAISON)
    before = navigation.navigation_for(user, "/")
    item = navigation.NavItem(_("Extra"), "password_change", frozenset({user.role}), 99)
    assert item.url_name not in navigation._menu
    navigation.register_menu_item(item)
    try:
        assert navigation.navigation_for(user, "/")[-1]["url"] == reverse("password_change")
    finally:
        navigation._menu.pop(item.url_name)
        navigation._menus.clear()
    assert navigation.navigation_for(user, "/") == before
