"""Database helpers shared by the apps."""

import json
from dataclasses import dataclass
from datetime import UTC

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.operations.base import Operation
from django.db.models.functions import Cast, JSONObject

# psycopg turns each query's %s placeholders into PostgreSQL's $1 form, and remembers the result
# only for a query of at most 4,096 bytes: longer ones are split again on every run. The pages'
# compiled queries (pleegzorg.compiled) are longer, up to about 40,000 bytes, and always the same
# few texts: splitting them cost 0.2-1.5 ms a page (7 % of the fidelity and constellation pages).
# psycopg keeps the 128 last used; it reads this limit when it converts a query (tests/test_db.py
# checks that it still does).
LONGEST_REMEMBERED_QUERY = 64 * 1024
# Nor does psycopg remember a query of more than 50 parameters: the fidelity figures' query has
# 150-300 (a month's dates per figure, a page's constellations), and was split again on every
# run (0.3-0.8 ms a page). The text of such a query is still one of the same few (its values
# are parameters), so the 128 remembered stay as useful as they were.
MOST_REMEMBERED_PARAMETERS = 2_000


def remember_long_queries() -> None:
    from psycopg import _queries

    _queries.MAX_CACHED_STATEMENT_LENGTH = max(
        _queries.MAX_CACHED_STATEMENT_LENGTH, LONGEST_REMEMBERED_QUERY
    )
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _queries.MAX_CACHED_STATEMENT_PARAMS, MOST_REMEMBERED_PARAMETERS
    )


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that PostgreSQL enforces and other databases leave out.

    SQLite (the demo's embedded default) has no EXCLUDE constraints; there the services' own
    checks keep the rule, and migrations still run. On PostgreSQL the database itself refuses
    conflicting rows, also when two requests write at the same moment.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)


class DateRange(models.Func):
    """daterange(start, end, '[)') for exclusion constraints over two DateFields."""

    function = "DATERANGE"

    def __init__(self, start, end, bounds="[)"):
        from django.contrib.postgres.fields import DateRangeField

        super().__init__(start, end, models.Value(bounds), output_field=DateRangeField())


class RelatedRows:
    """The rows of a related model as one JSON array in a column of the outer query.

    A page that shows everything held about a person reads a dozen tables; one query per table
    (``prefetch_related``) would spend the page's whole query budget on that alone. Each
    ``RelatedRows`` is instead one correlated subquery — ``STRING_AGG`` of ``JSON_OBJECT`` per
    row, so one value per outer row — and any number of them ride along in a single query:
    ``Child.objects.filter(pk=...).annotate(decisions=rows.subquery(), ...)``. It runs on every
    database Django's ``JSONObject`` and ``StringAgg`` support (PostgreSQL and SQLite alike).

    ``link`` is the path from ``model`` to the outer row's primary key (``"placement__child"``);
    ``fields`` are the paths to read (``"caseworker__first_name"``), which become the keys of
    each row; ``condition`` narrows the rows, ``order_by`` orders them (paths of ``model``, a
    leading ``-`` for descending). :meth:`parse` turns the column back into dicts with
    Python values (dates, aware datetimes, booleans), through each path's model field. At most
    50 fields: PostgreSQL's ``jsonb_build_object`` takes 100 arguments, a key and a value each.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        link: str,
        fields: tuple[str, ...],
        condition: models.Q | None = None,
        order_by: tuple[str, ...] = (),
    ):
        self.model, self.link, self.fields, self.order_by = model, link, fields, order_by
        if len(fields) > 50:
            raise ValueError("RelatedRows reads at most 50 fields")
        self.condition = condition or models.Q()
        self._model_fields = {path: field_at(model, path) for path in fields}

    def subquery(self) -> models.Subquery:
        values = {path: models.F(path) for path in self.fields}
        order_by = self.order_by
        if self.order_by and not _orders_aggregates():
            # SQLite before 3.44 (the demo's) cannot order STRING_AGG: each row carries its
            # order keys instead, and parse() sorts by them.
            values |= {f"{ORDER_KEY}{i}": models.F(p.lstrip("-")) for i, p in enumerate(order_by)}
            order_by = ()
        rows = (
            self.model._default_manager.filter(self.condition, **{self.link: models.OuterRef("pk")})
            .order_by()
            .values(self.link)
            .annotate(
                rows=models.StringAgg(
                    Cast(JSONObject(**values), models.TextField()),
                    models.Value(","),
                    order_by=order_by,
                )
            )
            .values("rows")
        )
        return models.Subquery(rows, output_field=models.TextField())

    def parse(self, text: str | None) -> list[dict]:
        if not text:
            return []
        rows = json.loads(f"[{text}]")
        if rows and f"{ORDER_KEY}0" in rows[0]:
            rows = self._sorted(rows)
        return [{path: self._to_python(path, row[path]) for path in self.fields} for row in rows]

    def _sorted(self, rows: list[dict]) -> list[dict]:
        """As the database orders: last key first (a stable sort), NULL last ascending and
        first descending (PostgreSQL's default)."""
        for i, path in reversed(list(enumerate(self.order_by))):
            key = f"{ORDER_KEY}{i}"
            rows.sort(key=lambda row: (row[key] is None, row[key]), reverse=path.startswith("-"))
        return rows

    def _to_python(self, path: str, value):
        if value is None:
            return None
        field = self._model_fields[path]
        value = field.to_python(value)
        if isinstance(field, models.DateTimeField) and value.tzinfo is None:
            # SQLite keeps datetimes as UTC without an offset.
            value = value.replace(tzinfo=UTC)
        return value


ORDER_KEY = "__order_"  # RelatedRows' order keys where the database cannot order an aggregate


def _orders_aggregates() -> bool:
    return connections["default"].features.supports_aggregate_order_by_clause


def field_at(model: type[models.Model], path: str) -> models.Field:
    """The model field at the end of a ``__`` path (a foreign key's target for ``fk__field``)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)


@dataclass(frozen=True)
class Tally:
    """One aggregate of :func:`tally_rows`: ``function`` of the rows' ``column`` (COUNT of every
    row when None), over the rows where each column of ``where`` is true and none of
    ``unless`` is (each false or NULL); ``field`` turns the database's value into Python (a
    date from SQLite's text)."""

    function: str = "COUNT"
    column: str | None = None
    where: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    field: models.Field | None = None

    FUNCTIONS = ("COUNT", "SUM", "MIN", "MAX")


def tally_rows(rows: models.QuerySet, by: str, tallies: dict[str, Tally]) -> list[dict]:
    """Aggregates over a ``values()`` queryset's rows, one result per value of its column
    ``by``, with every column of a row computed once.

    Django writes an annotation out in full in every aggregate that filters on it, so a rule
    counted today, within 14 days and "within 14 days but not today" runs its subqueries three
    times per row. Here the rows are a materialized common table expression (PostgreSQL does
    not fold it into the aggregates, SQLite 3.35+ reads the keyword too): each rule is a
    boolean column, computed once per row, and the aggregates read the columns."""
    return run_tally(rows.db, tally_query(rows, by, tallies))


@dataclass(frozen=True)
class TallyQuery:
    """The SQL of a :func:`tally_rows`, ready to run again (``pleegzorg.compiled.tally``)."""

    sql: str
    params: tuple
    names: tuple[str, ...]
    fields: tuple[tuple[str, models.Field], ...]


def tally_query(rows: models.QuerySet, by: str, tallies: dict[str, Tally]) -> TallyQuery:
    """:func:`tally_rows`' SQL and parameters, compiled (nothing runs)."""
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    columns = set(rows.query.values_select) | set(rows.query.annotation_select)
    selects = [f"{quote(by)}"]
    for name, tally in tallies.items():
        if tally.function not in Tally.FUNCTIONS:
            raise ValueError(f"unknown aggregate {tally.function!r}")
        used = {by, *tally.where, *tally.unless, *([tally.column] if tally.column else [])}
        if not used <= columns:
            raise ValueError(f"{name}: no column {sorted(used - columns)} in the rows")
        # A rule's column is NULL where SQL cannot tell (a comparison with an empty date):
        # the rule is not met there, so "unless" must keep the row (NOT NULL would drop it).
        conditions = [quote(c) for c in tally.where] + [
            f"{quote(c)} IS NOT TRUE" for c in tally.unless
        ]
        argument = quote(tally.column) if tally.column else "*"
        aggregate = f"{tally.function}({argument})"
        if conditions:
            aggregate += f" FILTER (WHERE {' AND '.join(conditions)})"
        selects.append(f"{aggregate} AS {quote(name)}")
    inner, params = rows.query.get_compiler(using=rows.db).as_sql()
    # Every identifier above is a column of the queryset, quoted; the values are parameters.
    sql = (
        f"WITH rows AS MATERIALIZED ({inner}) "  # noqa: S608  # nosec B608
        f"SELECT {', '.join(selects)} FROM rows GROUP BY {quote(by)}"
    )
    fields = tuple((name, t.field) for name, t in tallies.items() if t.field is not None)
    return TallyQuery(sql, tuple(params), (by, *tallies), fields)


def run_tally(alias: str, query: TallyQuery) -> list[dict]:
    with connections[alias].cursor() as cursor:
        cursor.execute(query.sql, query.params)
        return tally_results(query, cursor.fetchall())


def tally_results(query: TallyQuery, fetched: list[tuple]) -> list[dict]:
    """The rows fetched of ``query`` as dicts, each value through its field."""
    results = [dict(zip(query.names, values, strict=True)) for values in fetched]
    for name, field in query.fields:
        for result in results:
            if result[name] is not None:
                result[name] = field.to_python(result[name])
    return results


class TrackChanges(Operation):
    """A migration operation: every statement that writes to ``table`` (with ``update_of``,
    only an UPDATE of those columns) is counted (``TableWrite``, its generation). On
    PostgreSQL; other databases keep no generations, so nothing is kept for them."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, update_of: tuple[str, ...] = ()):
        self.table, self.update_of = table, tuple(update_of)

    def deconstruct(self):
        kwargs = {"table": self.table}
        if self.update_of:
            kwargs["update_of"] = self.update_of
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        writes = ["INSERT", "DELETE", "TRUNCATE"]
        if self.update_of:
            columns = ", ".join(quote(c) for c in self.update_of)
            writes.append(f"UPDATE OF {columns}")
        else:
            writes.append("UPDATE")
        schema_editor.execute(
            f"CREATE TRIGGER {GENERATION_TRIGGER} AFTER {' OR '.join(writes)} "
            f"ON {quote(self.table)} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {GENERATION_FUNCTION}()",
            params=None,
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self.table)
        drop = f"DROP TRIGGER IF EXISTS {GENERATION_TRIGGER} ON {table}"
        schema_editor.execute(drop, params=None)

    def describe(self):
        return f"Track the generation of {self.table}"


GENERATION_TRIGGER = "pleegzorg_generation"
GENERATION_FUNCTION = "pleegzorg_count_write"
# An insert, never an update of a shared row: a row lock held to the end of every writing
# transaction would make writers of a table wait for each other, and could deadlock two
# transactions that write their rows in another order.
CREATE_GENERATION_FUNCTION = """
CREATE OR REPLACE FUNCTION pleegzorg_count_write() RETURNS trigger AS $$
BEGIN
    INSERT INTO pleegzorg_tablewrite (table_name) VALUES (TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
DROP_GENERATION_FUNCTION = """
DROP FUNCTION IF EXISTS pleegzorg_count_write();
"""
