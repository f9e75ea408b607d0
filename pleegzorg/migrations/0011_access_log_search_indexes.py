"""The access log searched without reading all of it: by part of a name, and by action.

The log grows with every read of personal data (tens of thousands of rows a day), and its page
searches ``user_label`` and ``person_label`` by part of a name, which Django writes as
``UPPER(column::text) LIKE UPPER('%...%')``: no B-tree serves that, so every search read the whole
log. On PostgreSQL a trigram index (pg_trgm) on exactly that expression does. An action is
searched newest first, so (action, at) finds a rare one (an export, a deletion) without walking
the whole log backwards.

The indexes are built CONCURRENTLY (hence a migration outside a transaction): a plain CREATE INDEX
would hold every INSERT into the log, so every page that reads a file, for as long as the build
of millions of rows takes. A build that was interrupted leaves an invalid index behind; running
the migration again drops it and builds it anew.

The planner walks the log newest first while a search matches often (a colleague's common
name: 50 matches are near) and takes the trigram index when it matches rarely; it tells the two
apart by its statistics of the indexed expressions. With the default hundred most common values
it estimated 298 entries for 11,613 (a log of 3 million) and took the slow way, so these keep up
to 2,000 (every user's name, at an organisation's scale), gathered once here rather than at the
next automatic ANALYZE, which a large log reaches only after many new rows.

pg_trgm is a trusted extension (PostgreSQL 13 and later): the owner of the database may create it
without being a superuser. SQLite has no trigram indexes; there only (action, at) is made.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TABLE = "pleegzorg_accesslogentry"
# The index name, and the column whose UPPER() the page's icontains compares.
TRIGRAM_INDEXES = {
    "accesslog_user_label_trgm": "user_label",
    "accesslog_person_label_trgm": "person_label",
}
STATISTICS = 2000
ACTION_AT = models.Index(fields=["action", "-at"], name="accesslog_action_at")


def create_indexes(apps, schema_editor):
    model = apps.get_model("pleegzorg", "AccessLogEntry")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_index(model, ACTION_AT)
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}", params=None)
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY {name} ON {TABLE} "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)",
            params=None,
        )
        schema_editor.execute(
            f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {STATISTICS}", params=None
        )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {ACTION_AT.name}", params=None)
    schema_editor.add_index(model, ACTION_AT, concurrently=True)
    schema_editor.execute(f"ANALYZE {TABLE}", params=None)


def drop_indexes(apps, schema_editor):
    model = apps.get_model("pleegzorg", "AccessLogEntry")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(model, ACTION_AT)
        return
    for name in [*TRIGRAM_INDEXES, ACTION_AT.name]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("pleegzorg", "0010_table_writes")]

    operations = [
        TrigramExtension(),  # only on PostgreSQL (Django's CreateExtension checks the vendor)
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="accesslogentry", index=ACTION_AT)],
            database_operations=[
                migrations.RunPython(create_indexes, drop_indexes, elidable=False)
            ],
        ),
    ]
