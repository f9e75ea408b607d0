"""Generations for the tables the outcome monitor reads (pleegzorg.generations)."""

from django.db import migrations

from pleegzorg.db import TrackChanges


class Migration(migrations.Migration):
    dependencies = [
        ("constellations", "0003_membership_index_family_first"),
        ("pleegzorg", "0010_table_writes"),
    ]

    operations = [
        TrackChanges("constellations_constellation"),
        TrackChanges("constellations_membership"),
        TrackChanges("constellations_respitestay"),
    ]
