"""The dashboard's tables as CSV (pleegzorg.export): one table per request, by name."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from placements.dashboard.selectors import DASHBOARD_RULES, TeamDashboard
from placements.forms import RULE_LABELS
from pleegzorg.export import csv_response


def caseload_table(dashboard: TeamDashboard) -> tuple[list, list]:
    headers = [
        _("Caseworker"),
        _("Team"),
        _("FTE"),
        _("Active placements"),
        _("Weighted caseload"),
        _("Norm"),
        _("Over the norm"),
    ]
    rows = [
        [
            str(r.caseworker),
            r.caseworker.team or "",
            float(r.caseworker.fte),
            r.active,
            float(r.weighted),
            float(r.norm),
            r.over_norm,
        ]
        for r in dashboard.rows
    ]
    return headers, rows


def attention_table(dashboard: TeamDashboard) -> tuple[list, list]:
    headers = [_("Caseworker")]
    for name, has_due in DASHBOARD_RULES:
        headers.append(str(RULE_LABELS[name]))
        if has_due:
            headers.append(_("%(rule)s, within 14 days") % {"rule": RULE_LABELS[name]})
    rows = []
    for r in dashboard.counted_rows:
        row = [str(r.caseworker)]
        for name, has_due in DASHBOARD_RULES:
            row.append(r.counts[name])
            if has_due:
                row.append(r.counts[f"{name}_due"])
        rows.append(row)
    return headers, rows


def bands_table(dashboard: TeamDashboard) -> tuple[list, list]:
    return [_("Active placements"), _("Caseworkers")], [list(band) for band in dashboard.bands]


def child_name(dashboard: TeamDashboard, placement) -> str:
    """An application manager sees no case files: the placement's number, not the child."""
    return str(placement.child) if dashboard.scope.linked else ""


def unstable_table(dashboard: TeamDashboard) -> tuple[list, list]:
    headers = [_("Placement"), _("Child"), _("Caseworker"), _("Since"), _("Caseworker changes")]
    rows = [
        [p.pk, child_name(dashboard, p), str(p.caseworker), p.start_date, p.caseworker_changes]
        for p in dashboard.unstable_all
    ]
    return headers, rows


def ended_early_table(dashboard: TeamDashboard) -> tuple[list, list]:
    headers = [
        _("Placement"),
        _("Child"),
        _("Caseworker"),
        _("End date"),
        _("End reason"),
        _("Who ended it"),
        _("About the ending"),
    ]
    rows = [
        [
            p.pk,
            child_name(dashboard, p),
            str(p.caseworker),
            p.end_date,
            p.get_end_reason_display(),
            p.get_ended_by_display(),
            p.end_note,
        ]
        for p in dashboard.ended_early_all
    ]
    return headers, rows


TABLES = {
    "caseload": caseload_table,
    "aandacht": attention_table,
    "verdeling": bands_table,
    "wisselingen": unstable_table,
    "voortijdig": ended_early_table,
}


def dashboard_csv(request: HttpRequest, dashboard: TeamDashboard, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404
    headers, rows = TABLES[table](dashboard)
    on = dashboard.scope.on.isoformat()
    return csv_response(
        request,
        filename=f"dashboard-{table}-{on}.csv",
        headers=headers,
        rows=rows,
        detail=f"team dashboard: {table} {on}",
    )
