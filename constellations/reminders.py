"""The constellations' reminder, registered with the core's engine (``pleegzorg.reminders``).

======================  =======================================================  ============
key                     falls due                                                told
======================  =======================================================  ============
no_gathering:C:M        an open constellation that existed all of month M (the   its liaison
                        last calendar month) had no gathering
======================  =======================================================  ============
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Value
from django.utils.translation import gettext as _

from constellations.models import Constellation
from constellations.selectors import last_month, without_gathering_last_month
from pleegzorg import reminders as engine
from pleegzorg.reminders import DueReminder, Scan, register_reminder_source

NO_GATHERING = "no_gathering"


@register_reminder_source(NO_GATHERING)
def no_gathering(scan: Scan) -> Iterator[DueReminder]:
    """Open constellations that existed all last month without a gathering in it: their liaison,
    once per month (the key carries the month)."""
    today = scan.today
    first, _last = last_month(today)
    month = first.strftime("%Y-%m")
    rows = (
        Constellation.objects.filter(without_gathering_last_month(today), liaison__isnull=False)
        .annotate(reminder_key=engine.key(NO_GATHERING, "pk", Value(month)))
        .filter(~engine.stored("reminder_key"))
        .values("pk", "reminder_key", "name", "liaison_id")
        .order_by("pk")
    )
    for row in engine.batch(rows, scan):
        yield DueReminder(
            key=row["reminder_key"],
            kind=NO_GATHERING,
            due_on=today.replace(day=1),
            recipient_id=row["liaison_id"],
            url=engine.url("constellations:detail", row["pk"]),
            text=_("%(name)s had no gathering in %(month)s. Plan one, or record the one you held.")
            % {"name": row["name"], "month": engine.month_text(first)},
        )
