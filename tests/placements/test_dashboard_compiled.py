"""The team dashboard's rule figures are compiled once per viewer's SQL and day
(pleegzorg.compiled.tally) and counted afresh from the database every time."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from placements.dashboard.selectors import Scope, caseworker_rows, dashboard_teams, rule_figures
from placements.models import Placement
from pleegzorg import compiled
from pleegzorg.models import Team, User


def _lead_and_scope():
    """Today, the demo's team lead, the scope of their dashboard and its caseworkers."""
    today = timezone.localdate()
    lead = User.objects.get(username="teamleider")
    scope = Scope(on=today, teams=dashboard_teams(lead))
    return today, lead, scope, [row.caseworker.pk for row in caseworker_rows(lead, scope)]


def figures(user, scope, caseworkers) -> dict[int, dict]:
    return {row["cw"]: row for row in rule_figures(user, scope, caseworkers)}


def test_rule_figures_are_compiled_once_and_counted_afresh(seeded):
    today, lead, scope, caseworkers = _lead_and_scope()
    compiled.clear()
    before = figures(lead, scope, caseworkers)
    assert compiled.size() == 1
    placement = (
        Placement.objects.active(today)
        .filter(caseworker__in=caseworkers, team__lead=lead, youth_protector__isnull=False)
        .first()
    )
    placement.youth_protector, placement.legal_basis = None, "ots"
    placement.save(update_fields=["youth_protector", "legal_basis"])
    after = figures(lead, scope, caseworkers)
    assert compiled.size() == 1  # the same SQL, run again
    cw = placement.caseworker_id
    assert after[cw]["no_youth_protector"] == before[cw]["no_youth_protector"] + 1
    # Another viewer, another day or other caseworkers: compiled for them.
    worker = User.objects.filter(pk=cw).get()
    figures(worker, Scope(on=today, teams=Team.objects.none(), caseworker=worker), [cw])
    figures(lead, Scope(on=today - dt.timedelta(days=1), teams=scope.teams), caseworkers)
    assert compiled.size() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_rule_figures_run_as_a_prepared_statement_of_the_connection(seeded):
    _today, lead, scope, caseworkers = _lead_and_scope()
    compiled.clear()
    first = figures(lead, scope, caseworkers)
    assert figures(lead, scope, caseworkers) == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [statement for (statement,) in cursor.fetchall()]
    assert any(s.startswith("WITH rows AS MATERIALIZED") for s in statements)
