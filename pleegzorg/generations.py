"""Results kept for as long as the tables they were computed from stay exactly as they were.

Each tracked table has a *generation* (``TableGeneration``): a trigger raises it on every
statement that writes to the table (``pleegzorg.db.TrackChanges`` in the apps' migrations), to
a number from a sequence, inside the writing transaction. So the generation becomes visible
together with the write, and a number is never handed out twice, not even after a rollback.

A result kept under the generations of the tables its SQL reads is therefore found again only
while none of those tables has changed; the first read after any write computes afresh. No
time-to-live decides freshness and nothing has to be invalidated by hand: a table that is not
tracked, or a database without generations (SQLite, the demo's default), keeps nothing.

Reading the generations is one query: :func:`snapshot` reads them once for a block (a page's
report), and :func:`result_key` names a query's result under that snapshot.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.apps import apps
from django.db import connections

from pleegzorg.db import GENERATION_TRIGGER

_snapshot: ContextVar[dict[str, int] | None] = ContextVar("generations", default=None)
CACHE = "results"  # the cache alias (settings.CACHES)
KEEP_SECONDS = 24 * 3600  # only to make room: a kept result is right for as long as it is found
QUOTED = re.compile(r'"(\w+)"')


def read(using: str = "default") -> dict[str, int] | None:
    """Every tracked table's generation (0: not written since the table was made), or None
    where the database keeps none."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, COALESCE(g.generation, 0) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "LEFT JOIN pleegzorg_tablegeneration g ON g.table_name = c.relname "
            "WHERE t.tgname = %s AND c.relnamespace = current_schema()::regnamespace",
            [GENERATION_TRIGGER],
        )
        return dict(cursor.fetchall())


@contextmanager
def snapshot(using: str = "default") -> Iterator[dict[str, int] | None]:
    """The generations, read once, for the results computed inside the block."""
    token = _snapshot.set(read(using))
    try:
        yield _snapshot.get()
    finally:
        _snapshot.reset(token)


@cache
def _model_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


def tables_read(sql: str) -> frozenset[str]:
    """The models' tables that ``sql`` names (Django quotes every table it reads)."""
    return frozenset(QUOTED.findall(sql)) & _model_tables()


def result_key(sql: str, params: tuple) -> str | None:
    """The name to keep the result of ``sql`` with ``params`` under: the query and the
    generations of every table it reads. None outside a :func:`snapshot`, without generations,
    or when it reads a table that is not tracked."""
    generations = _snapshot.get()
    if generations is None:
        return None
    tables = tables_read(sql)
    if not tables or not tables <= generations.keys():
        return None
    state = sorted((table, generations[table]) for table in tables)
    digest = hashlib.sha256(repr((sql, params, state)).encode()).hexdigest()
    return f"pleegzorg:result:{digest}"
