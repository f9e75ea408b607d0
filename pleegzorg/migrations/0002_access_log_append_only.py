"""On PostgreSQL the database itself refuses UPDATE and DELETE on the access log (NEN 7513)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION pleegzorg_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pleegzorg_access_log_append_only
    BEFORE UPDATE OR DELETE ON pleegzorg_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION pleegzorg_access_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS pleegzorg_access_log_append_only ON pleegzorg_accesslogentry;
DROP FUNCTION IF EXISTS pleegzorg_access_log_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("pleegzorg", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
