"""Placement.team: the team a placement belongs to, which the team lead's access follows.

Until now the team was read through the caseworker (``caseworker.team``), so a caseworker who
moved took every file along, and the new team's lead inherited them. The best knowledge of the
team the placement belonged to is the caseworker's team of today: that is what the backfill
writes (one UPDATE, on every database). From here on the services set it at the start and at a
handover.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def team_from_caseworker(apps, schema_editor):
    Placement = apps.get_model("placements", "Placement")
    User = apps.get_model("pleegzorg", "User")
    team = User.objects.filter(pk=OuterRef("caseworker_id")).values("team_id")[:1]
    Placement.objects.filter(team__isnull=True).update(team_id=Subquery(team))


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0004_admin_labels"),
        ("pleegzorg", "0005_user_fte"),
    ]

    operations = [
        migrations.AddField(
            model_name="placement",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="placements",
                to="pleegzorg.team",
                verbose_name="team",
            ),
        ),
        migrations.RunPython(team_from_caseworker, migrations.RunPython.noop, elidable=False),
    ]
