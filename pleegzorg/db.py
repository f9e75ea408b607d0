"""Database helpers shared by the apps."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import DEFAULT_DB_ALIAS, connections, models


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
