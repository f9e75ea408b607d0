"""Results kept for as long as the tables they were computed from stay exactly as they were.

Every statement that writes to a tracked table adds a row to ``TableWrite`` (a trigger from
``pleegzorg.db.TrackChanges`` in the apps' migrations), inside the writing transaction. A
table's *generation* is the pair (how many writes it has had, the highest write id):

- every commit that wrote to the table adds to the count, and commits only add, so two
  different committed states never share a count (also when they commit out of order);
- a transaction's own, uncommitted writes carry ids from a sequence that no other transaction
  gets, rolled back or not, so what it sees of its own writes never looks like a state
  anyone else will see.

A result kept under the generations of the tables its SQL reads is therefore found again only
while none of those tables has changed; the first read after any write computes afresh. No
time-to-live decides freshness and nothing has to be invalidated by hand: a table that is not
tracked, or a database without the triggers (SQLite, the demo's default), keeps nothing.
Writers never wait for each other: the trigger only inserts. :func:`prune` folds old rows
into ``TableWritesPruned`` (a beat task), keeping every count as it was.

Reading the generations is one query: :func:`snapshot` reads them once for a block (a page's
report), and :func:`key_for` names a query's result under that snapshot (:func:`describe`
makes the query's part of the name once).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import connections, transaction

from pleegzorg.db import GENERATION_TRIGGER

Generation = tuple[int, int]  # (writes, highest write id)
_snapshot: ContextVar[dict[str, Generation] | None] = ContextVar("generations", default=None)
CACHE = "results"  # the cache alias (settings.CACHES)
KEEP_SECONDS = 24 * 3600  # only to make room: a kept result is right for as long as it is found
QUOTED = re.compile(r'"(\w+)"')


def read(using: str = "default") -> dict[str, Generation] | None:
    """Every tracked table's generation, or None where the database keeps none. One
    statement, so one view of the writes and of what the pruning folded away."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, COALESCE(MAX(p.count), 0) + COUNT(w.id), COALESCE(MAX(w.id), 0) "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "LEFT JOIN pleegzorg_tablewrite w ON w.table_name = c.relname "
            "LEFT JOIN pleegzorg_tablewritespruned p ON p.table_name = c.relname "
            "WHERE t.tgname = %s AND c.relnamespace = current_schema()::regnamespace "
            "GROUP BY c.relname",
            [GENERATION_TRIGGER],
        )
        return {table: (count, highest) for table, count, highest in cursor.fetchall()}


def prune(using: str = "default") -> int:
    """Delete every table's write rows but its latest, adding their number to the table's
    pruned count (one transaction: a reader sees the rows or the count, never neither).
    Returns how many rows went."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "WITH latest AS (SELECT table_name, MAX(id) AS id FROM pleegzorg_tablewrite "
            "GROUP BY table_name), "
            "gone AS (DELETE FROM pleegzorg_tablewrite w USING latest "
            "WHERE w.table_name = latest.table_name AND w.id < latest.id "
            "RETURNING w.table_name), "
            "counted AS (SELECT table_name, COUNT(*) AS n FROM gone GROUP BY table_name), "
            "added AS (INSERT INTO pleegzorg_tablewritespruned (table_name, count) "
            "SELECT table_name, n FROM counted "
            "ON CONFLICT (table_name) DO UPDATE "
            "SET count = pleegzorg_tablewritespruned.count + EXCLUDED.count) "
            "SELECT COALESCE(SUM(n), 0) FROM counted"
        )
        return int(cursor.fetchone()[0])


@contextmanager
def snapshot(using: str = "default") -> Iterator[dict[str, Generation] | None]:
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


@dataclass(frozen=True)
class Described:
    """A query as :func:`key_for` needs it: a digest of where it runs, its SQL and parameters,
    and the tables it reads. Made once per compiled query (``pleegzorg.compiled``), not per
    request: the SQL of a report's aggregate runs to tens of kilobytes."""

    identity: str
    tables: frozenset[str]


def describe(sql: str, params: tuple) -> Described:
    db = connections["default"].settings_dict
    where = (db.get("HOST"), db.get("PORT"), db["NAME"])  # one cache may serve two databases
    identity = hashlib.sha256(repr((where, sql, params)).encode()).hexdigest()
    return Described(identity, tables_read(sql))


def key_for(query: Described) -> str | None:
    """The name to keep the result of ``query`` under: the query and the generations of every
    table it reads. None outside a :func:`snapshot`, without generations, or when it reads a
    table that is not tracked."""
    generations = _snapshot.get()
    if generations is None:
        return None
    if not query.tables or not query.tables <= generations.keys():
        return None
    state = sorted((table, generations[table]) for table in query.tables)
    digest = hashlib.sha256(repr((query.identity, state)).encode()).hexdigest()
    return f"pleegzorg:result:{digest}"


def result_key(sql: str, params: tuple) -> str | None:
    """:func:`key_for` of the query ``sql`` with ``params``."""
    return key_for(describe(sql, params))
