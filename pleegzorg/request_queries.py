"""The queries every signed-in request runs, whatever the page: its session, its user and the
bell's unread count. Each is a small indexed ``SELECT`` that PostgreSQL answers in a fraction
of the time the ORM took to build it again on every request, so each is compiled once per
process and run every time with the request's values as its parameters (as
``pleegzorg.compiled`` does for the dashboards' aggregates): the rows always come fresh from
the database, nothing is kept of them, and there is nothing to invalidate.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, QuerySet

from pleegzorg import compiled

# Per (database, name): the SQL, how many columns to read, and the ORM's converters for them.
_compiled: dict[tuple[str, str], tuple[str, int, list]] = {}
_lock = threading.Lock()


def fetch(name: str, build: Callable[..., QuerySet], arguments: tuple) -> list[tuple]:
    """The rows (tuples, through the ORM's converters) of the queryset ``build(*arguments)``,
    compiled once per ``name`` (and database), run every time with this call's ``arguments``
    in their places. The queryset's SQL parameters must be exactly ``arguments``, in order, and
    nothing else (a constant belongs in the SQL): refused when it is compiled otherwise."""
    alias = "default"
    key = (connections[alias].settings_dict["NAME"], name)
    hit = _compiled.get(key)
    if hit is None:
        compiler = build(*arguments).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if tuple(params) != tuple(arguments):
            raise ValueError(f"{name}: parameters {params!r} are not the arguments {arguments!r}")
        hit = (sql, compiler.col_count, compiled.converters_of(compiler))
        with _lock:
            _compiled[key] = hit
    sql, width, converters = hit
    fetched = compiled.fetch_converted(connections[alias], sql, arguments, converters, width)
    return [tuple(row) for row in fetched]


def clear() -> None:
    with _lock:
        _compiled.clear()


def _session(session_key: str, now: datetime) -> QuerySet:
    from django.contrib.sessions.models import Session

    return (
        Session.objects.filter(session_key=session_key)
        .filter(expire_date__gt=now)
        .values_list("session_data")
    )


def session_data(session_key: str, now: datetime) -> str | None:
    """The stored data of the session ``session_key`` unless it expired by ``now``, as Django's
    database sessions read it."""
    if connections["default"].vendor != "postgresql":
        # Other backends turn the datetime into a string among the parameters: not kept.
        rows = list(_session(session_key, now))
    else:
        rows = fetch("session", _session, (session_key, now))
    return rows[0][0] if rows else None


def _user(pk: int) -> QuerySet:
    return get_user_model()._default_manager.filter(pk=pk)


def user(pk: int):
    """The user ``pk`` (``None`` when there is none), as ``_default_manager.get(pk=pk)``."""
    rows = fetch("user", _user, (pk,))
    if not rows:
        return None
    model = get_user_model()
    # A plain model query selects its concrete fields in their order (the compiler's default).
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db("default", names, rows[0])


def _unread(user_id: int) -> QuerySet:
    from pleegzorg.models import Notification

    return (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(unread=Count("pk"))
        .values_list("unread")
    )


def unread_notifications(user_id: int) -> int:
    """How many of the user's notifications are unread (the bell's count)."""
    rows = fetch("unread notifications", _unread, (user_id,))
    return rows[0][0] if rows else 0
