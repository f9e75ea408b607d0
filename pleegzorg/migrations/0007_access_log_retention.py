"""The access log's trigger lets the retention purge through, and nothing else (NEN 7513).

Until now the trigger refused every UPDATE and DELETE. A DELETE now passes only when both hold:
the transaction set ``pleegzorg.access_log_purge`` to 'on' (only ``pleegzorg.retention`` does, with
SET LOCAL), and the row is older than 5 years by the database's clock, the legal minimum, whatever
the application's setting or clock says. UPDATE stays refused always.
"""

from django.db import migrations

PURGE_ALLOWED = """
CREATE OR REPLACE FUNCTION pleegzorg_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('pleegzorg.access_log_purge', true) = 'on'
       AND OLD.at < now() - interval '5 years' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

NOTHING_ALLOWED = """
CREATE OR REPLACE FUNCTION pleegzorg_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PURGE_ALLOWED, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTHING_ALLOWED, params=None)


class Migration(migrations.Migration):
    dependencies = [("pleegzorg", "0006_user_sessions")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
