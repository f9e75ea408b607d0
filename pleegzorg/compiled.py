"""Aggregate queries whose compiled SQL is kept per process.

Django compiles every expression of a query on each call: resolving, copying and rewriting each
conditional aggregate costs about a millisecond. The outcome monitor's figures are hundreds of
them (24 months x measures x inside/outside), and compiling took longer than PostgreSQL took to
run the queries. The SQL and parameters of such a query are a pure function of its inputs (the
regions, the dates, the database), so they are kept under a key made of exactly those inputs and
the same SQL is run again: **the figures always come fresh from the database**, only the
compiling is saved, and there is nothing to invalidate. SQLAlchemy ships the same idea as its
"compiled cache".

A key must name everything the query depends on besides the data: the caller's function and
all of its arguments. :func:`aggregate` and :func:`tally` add the database. :func:`instances`
takes ids apart from the key: they become parameters of the kept SQL, so one compiled query
serves every child's file.

**Prepared.** On PostgreSQL an aggregate and a tally also keep their plan: PostgreSQL parses,
analyses and plans each of these statements (tens of kilobytes of SQL, hundreds of conditional
aggregates, a dashboard's 16 subqueries per placement) in a few milliseconds, for every run.
:func:`aggregate` and :func:`tally` run the statement's text with its values written in as a
server-side prepared statement of the connection, at once, so that from the second run on the
connection only executes it. A statement without parameters has one plan, made with every value
known: the same plan as unprepared (the other queries, prepared by psycopg after
DJANGO_DB_PREPARE_THRESHOLD runs with their values apart, may get PostgreSQL's generic plan;
these statements of hundreds of conditions are kept from that). PostgreSQL plans a prepared
statement again when a table it reads changes its definition or statistics; psycopg forgets the
connection's prepared statements on a rollback (they are prepared again on their next run)."""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from decimal import Decimal

import psycopg
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, _get_from_db, get_related_populators

from pleegzorg import generations
from pleegzorg.db import Tally, run_tally, tally_query, tally_results

MAX_QUERIES = 256  # compiled queries kept per process (a report holds about ten)

_lock = threading.Lock()


class _Kept:
    """Compiled queries under their keys, for every thread of the process; past
    :data:`MAX_QUERIES` the one used longest ago is forgotten (it is compiled again when asked)."""

    def __init__(self):
        self._items: OrderedDict[tuple, object] = OrderedDict()

    def get(self, key: tuple):
        with _lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, value) -> None:
        with _lock:
            self._items[key] = value
            while len(self._items) > MAX_QUERIES:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with _lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


# Per key: the SQL, its parameters, the names of the columns, and what is kept to read the rows
# (for an aggregate how its result is kept and its prepared text, for rows the converters of
# its columns); the dashboard's rule queries; the model querysets of instances().
_compiled = _Kept()
_tallies = _Kept()
_instances = _Kept()


def aggregate(key: Hashable, build: Callable[[], tuple[QuerySet, dict]]) -> dict:
    """``queryset.aggregate(**aggregates)`` for the ``(queryset, aggregates)`` that ``build``
    returns; compiled once per ``key`` (and database), run every time, except that inside a
    ``pleegzorg.generations.snapshot`` a result is kept for as long as the tables it read stay
    as they were (:func:`pleegzorg.generations.key_for`)."""
    alias = "default"
    full_key = (alias, connections[alias].settings_dict["NAME"], key)
    hit = _compiled.get(full_key)
    if hit is not None:
        sql, params, names, described, prepared = hit
        kept = generations.key_for(described)
        if kept is not None and (row := caches[generations.CACHE].get(kept)) is not None:
            return row
        connection = connections[alias]
        if prepared is not None:
            values = _fetch_prepared(connection, prepared)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                values = cursor.fetchone()
        row = dict(zip(names, map(_plain, values), strict=True))
        _keep(kept, row)
        return row
    queryset, aggregates = build()
    seen: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connections[queryset.db].execute_wrapper(capture):
        row = queryset.aggregate(**aggregates)
    row = {name: _plain(value) for name, value in row.items()}
    if queryset.db == alias and len(seen) == 1:  # an aggregate that was one query: keep it
        described = generations.describe(*seen[0])
        prepared = _literal(connections[alias], *seen[0])
        _compiled.put(full_key, (*seen[0], list(row), described, prepared))
        _keep(generations.key_for(described), row)
    return row


def converters_of(compiler) -> list:
    """What the ORM applies to each selected column of ``compiler``'s query (a duration on
    SQLite, a date): worked out once, when the query is compiled (``as_sql()`` has run)."""
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    return list(compiler.get_converters(fields).items())


def fetch_converted(
    connection, sql: str, params, converters: list, width: int | None = None
) -> list[list]:
    """Run ``sql`` and give its rows as lists (the first ``width`` columns), each value
    through the :func:`converters_of` its query, as the compiler's ``apply_converters``."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return converted(connection, cursor.fetchall(), converters, width)


def converted(connection, fetched, converters: list, width: int | None = None) -> list[list]:
    """:func:`fetch_converted` of rows already fetched."""
    rows = [list(row[:width]) for row in fetched]
    for row in rows:
        for position, (functions, expression) in converters:
            for convert in functions:
                row[position] = convert(row[position], expression, connection)
    return rows


def rows(
    key: Hashable,
    build: Callable[[], QuerySet],
    *,
    prepared: bool = False,
    values_in_text: bool = False,
) -> list[dict]:
    """``list(queryset)`` for the ``values(...).annotate(...)`` queryset that ``build``
    returns: compiled once per ``key`` (and database), run every time. Each value goes through
    the converters the ORM would apply (a duration on SQLite, a date), worked out when it was
    compiled. A query that can match nothing (``pk__in=[]``) is not run: no rows. With
    ``prepared``, on PostgreSQL, run as a prepared statement of the connection (as
    :func:`aggregate`): for a query that PostgreSQL takes longer to plan than to run.

    With ``values_in_text``, on PostgreSQL, every value but the whole numbers (the ids) is
    written into the statement's text (:func:`values_written_in`): the plan PostgreSQL keeps
    for it once psycopg has prepared it (DJANGO_DB_PREPARE_THRESHOLD) is then made knowing the
    dates, where with every value a parameter it guessed how many rows a period holds, and
    could guess wrong. One statement per period, not per constellation: the ids stay
    parameters. ``key`` must name those values as it always must."""
    alias = "default"
    full_key = (alias, connections[alias].settings_dict["NAME"], "rows", key, prepared)
    full_key += ("values in text",) if values_in_text else ()
    hit = _compiled.get(full_key)
    if hit is None:
        query = build().query
        compiler = query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []
        if values_in_text and connections[alias].vendor == "postgresql":
            sql, params = values_written_in(connections[alias], sql, tuple(params))
        names = list(query.selected or [])
        names = names or [*query.extra_select, *query.values_select, *query.annotation_select]
        literal = _literal(connections[alias], sql, params) if prepared else None
        hit = (sql, tuple(params), names, converters_of(compiler), literal)
        _compiled.put(full_key, hit)
    sql, params, names, converters, literal = hit
    connection = connections[alias]
    if literal is None:
        fetched = fetch_converted(connection, sql, params, converters, len(names))
    else:
        every = _fetch_prepared(connection, literal, every_row=True)
        fetched = converted(connection, every, converters, len(names))
    return [dict(zip(names, row, strict=True)) for row in fetched]


_PLACEHOLDER = re.compile(r"(%%|%s)")


def values_written_in(connection, sql: str, params: tuple) -> tuple[str, tuple]:
    """``sql`` with each of its values that is not a whole number written into its text, as
    psycopg writes a value (quoted and typed: ``'2026-01-31'::date``); the whole numbers stay
    parameters, in their order. A statement whose placeholders are not its values one for one
    is given back as it was."""
    pieces = _PLACEHOLDER.split(sql)
    if pieces.count("%s") != len(params):
        return sql, params
    written, kept, values = [], [], iter(params)
    for piece in pieces:
        if piece != "%s":
            written.append(piece)
            continue
        value = next(values)
        if type(value) is int:
            written.append(piece)
            kept.append(value)
        else:
            written.append(connection.ops.compose_sql("%s", [value]).replace("%", "%%"))
    return "".join(written), tuple(kept)


class NotCompilable(Exception):
    """The queryset cannot be kept as SQL with its ids as parameters (see :func:`instances`)."""


class _KeptInstances:
    """The SQL of a model queryset, where its ids go among the parameters, and what turns a row
    into instances (the compiler's columns, converters and the related-object populators)."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: tuple, slots: dict):
        # compiler.as_sql() has run: it fills select, klass_info and annotation_col_map.
        self.compiler, self.sql, self.params, self.slots = compiler, sql, params, slots
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        fetch_mode = queryset._fetch_mode
        self.track_peers = fetch_mode.track_peers
        self.from_db = _get_from_db(self.model, fetch_mode)
        self.populators = get_related_populators(klass_info, select, queryset.db, fetch_mode)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = converters_of(compiler)

    def run(self, alias: str, ids: dict[str, int]) -> list[Model]:
        params = list(self.params)
        for position, name in self.slots.items():
            params[position] = ids[name]
        fetched = fetch_converted(connections[alias], self.sql, params, self.converters)
        result: list[Model] = []
        peers = []
        for row in fetched:
            obj = self.from_db(alias, self.init_list, row[self.start : self.end])
            if self.track_peers:
                peers.append(weakref.ref(obj))
                obj._state.peers = peers
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            result.append(obj)
        return result


def instances(key: Hashable, build: Callable[..., QuerySet], **ids: int) -> list[Model]:
    """``list(build(**ids))`` for a model queryset (``select_related`` and annotations
    allowed, no ``prefetch_related``), compiled once per ``key`` (and database) and run every
    time with these ``ids``.

    The ids are found among the SQL's parameters by compiling ``build`` a second time with each
    id changed: the positions that change, and hold that id, are where it goes. A query whose
    SQL or other parameters change with an id, or that uses an id other than as a parameter, is
    refused (:class:`NotCompilable`) rather than kept wrong. Everything else the query depends
    on (today, a role, a search) belongs in ``key``.

    The instances are built as Django's ``ModelIterable`` builds them (through its
    ``get_related_populators``, held equal to the ORM by tests); ``known related objects``
    (``child.placements``' child) are not set: give them back yourself."""
    alias = "default"
    full_key = (alias, connections[alias].settings_dict["NAME"], "instances", key, tuple(ids))
    kept = _instances.get(full_key)
    if kept is None:
        kept = _compile_instances(build, ids)
        if kept is None:
            return []
        _instances.put(full_key, kept)
    return kept.run(alias, ids)


def _compile_instances(
    build: Callable[..., QuerySet], ids: dict[str, int]
) -> _KeptInstances | None:
    queryset = build(**ids)
    if (
        queryset.db != "default"
        or queryset._iterable_class is not ModelIterable
        or queryset._prefetch_related_lookups
    ):
        raise NotCompilable("only a model queryset on the default database is kept")
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params = tuple(params)
    slots: dict[int, str] = {}
    for name, value in ids.items():
        other_sql, other_params = _sql(build(**{**ids, name: -value - 1}))
        if other_sql != sql or len(other_params) != len(params):
            raise NotCompilable(f"the SQL changes with {name}")
        pairs = enumerate(zip(params, other_params, strict=True))
        changed = [i for i, (a, b) in pairs if a != b]
        if (
            not changed
            or any(params[i] != value or other_params[i] != -value - 1 for i in changed)
            or set(changed) & set(slots)
        ):
            raise NotCompilable(f"{name} is not only a parameter of the query")
        slots.update(dict.fromkeys(changed, name))
    return _KeptInstances(queryset, compiler, sql, params, slots)


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def tally(key: Hashable, build: Callable[[], tuple[QuerySet, str, dict[str, Tally]]]) -> list[dict]:
    """``pleegzorg.db.tally_rows(rows, by, tallies)`` for what ``build`` returns, compiled once
    per ``key`` (and database) and run every time: the team dashboard's rule figures, 13 rules
    of subqueries whose compiling took as long as PostgreSQL took to count them. On PostgreSQL
    run as a prepared statement (see the module's docstring): planning it took a quarter of
    the time PostgreSQL spent on it."""
    alias = "default"
    full_key = (alias, connections[alias].settings_dict["NAME"], key)
    kept = _tallies.get(full_key)
    if kept is None:
        rows, by, tallies = build()
        query = tally_query(rows, by, tallies)
        if rows.db != alias:
            return run_tally(rows.db, query)
        kept = (query, _literal(connections[alias], query.sql, query.params))
        _tallies.put(full_key, kept)
    query, prepared = kept
    if prepared is None:
        return run_tally(alias, query)
    return tally_results(query, _fetch_prepared(connections[alias], prepared, every_row=True))


def _literal(connection, sql: str, params: tuple) -> str | None:
    """The statement with its values written in, to prepare (None: not on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    return connection.ops.compose_sql(sql, params)


def _fetch_prepared(connection, sql: str, *, every_row: bool = False):
    """The one row of ``sql`` (a statement without parameters; with ``every_row`` the list of
    its rows), run as a prepared statement of the connection: prepared the first time this
    connection runs it, executed after that. Through Django's cursor wrappers, so that it is
    one query like any other (logged, counted, execute wrappers, database errors as
    Django's)."""
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _PreparedCursor(connection.connection)
    if connection.queries_logged:
        cursor = connection.make_debug_cursor(raw)
    else:
        cursor = connection.make_cursor(raw)
    with cursor:
        cursor.execute(sql)
        return cursor.fetchall() if every_row else cursor.fetchone()


NEVER_BY_COUNT = 2**62  # psycopg's prepare_threshold: prepare only when asked


class _PreparedCursor(psycopg.Cursor):
    """A server-side-binding cursor whose every statement is prepared. psycopg prepares only
    while its connection's ``prepare_threshold`` is set (None where DJANGO_DB_PREPARE_THRESHOLD
    is empty, for a connection pooler); there it is set to "never by count, only when asked",
    which leaves every other query unprepared."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if self.connection.prepare_threshold is None:
            self.connection.prepare_threshold = NEVER_BY_COUNT
        return super().execute(query, params, prepare=True, binary=binary)


def _keep(kept: str | None, row: dict) -> None:
    if kept is not None:
        caches[generations.CACHE].set(kept, row, generations.KEEP_SECONDS)


def _plain(value):
    """Counts and sums as Python ints, whatever the driver returns for a bigint sum."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def clear() -> None:
    for kept in (_compiled, _tallies, _instances):
        kept.clear()


def size() -> int:
    """How many compiled queries this process keeps."""
    with _lock:
        return len(_compiled) + len(_tallies) + len(_instances)
