"""Generations for the tables the outcome monitor reads (pleegzorg.generations): a kept result
is found again only while these stay as they were."""

from django.db import migrations

from pleegzorg.db import TrackChanges


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0005_placement_team"),
        ("pleegzorg", "0010_table_writes"),
    ]

    operations = [
        TrackChanges("placements_placement"),
        TrackChanges("placements_fosterfamily"),
        TrackChanges("placements_fosterfamilystatuschange"),
    ]
