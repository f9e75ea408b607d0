"""Retention of the access log (NEN 7513, Jeugdwet): entries are kept
``ACCESS_LOG_RETENTION_YEARS`` (never fewer than 5), then purged by a nightly task
(``purge-access-log`` in ``CELERY_BEAT_SCHEDULE``).

The log is append-only in the model, the queryset and, on PostgreSQL, the database. The purge is
the one way out, and it is narrow at every level:

* It runs only here, as one ``DELETE`` per batch in a transaction that first sets
  ``pleegzorg.access_log_purge`` (a PostgreSQL setting that lives as long as that transaction).
* The trigger (migration 0008) lets a ``DELETE`` through only with that setting on *and* for a row
  older than 5 years by the database's own clock. Every other ``DELETE`` and every ``UPDATE`` is
  still refused, so a mistake here, a clock set ahead or a setting below 5 cannot take younger
  entries with it.
* Proofs of destruction are kept: entries with action "delete" for application management (a case
  file deleted after its review, and each purge itself). They name records by number only.

A case file's own retention (20 years unchanged, then a person decides) is the placements app's:
``placements.retention``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.checks import MIN_ACCESS_LOG_RETENTION_YEARS

logger = logging.getLogger(__name__)

PURGE_BATCH = 10_000
SYSTEM = "bewaartermijn (automatisch)"

# One batch: the oldest purgeable rows. Static SQL with parameters; the table is the model's.
_DELETE_BATCH = """
DELETE FROM pleegzorg_accesslogentry WHERE id IN (
    SELECT id FROM pleegzorg_accesslogentry
    WHERE at < %s AND NOT (action = %s AND purpose = %s)
    ORDER BY id LIMIT %s
)
"""


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same moment ``years`` calendar years earlier (29 February becomes the 28th), in UTC,
    as PostgreSQL's ``now() - interval 'N years'`` counts."""
    moment = moment.astimezone(dt.UTC)
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def access_log_retention_years() -> int:
    years = settings.ACCESS_LOG_RETENTION_YEARS
    if years < MIN_ACCESS_LOG_RETENTION_YEARS:
        raise ImproperlyConfigured(
            f"ACCESS_LOG_RETENTION_YEARS is {years}; the access log is kept at least "
            f"{MIN_ACCESS_LOG_RETENTION_YEARS} years."
        )
    return years


def access_log_purge(*, now: dt.datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the access-log entries older than the retention period, except proofs of
    destruction; return how many went. Writes one entry saying how many, when there were any.

    Refuses (ImproperlyConfigured) a period below 5 years. Each batch is its own transaction, so
    a long first purge holds no lock for long and a stopped one keeps what it did.
    """
    years = access_log_retention_years()
    cutoff = years_before(now or timezone.now(), years)
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL pleegzorg.access_log_purge = 'on'")
            cursor.execute(
                _DELETE_BATCH, [cutoff, Action.DELETE, Purpose.ADMINISTRATION, batch_size]
            )
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                # Off again at once, also when this runs inside a caller's longer transaction.
                cursor.execute("SET LOCAL pleegzorg.access_log_purge = 'off'")
        total += deleted
        if deleted < batch_size:
            break
    if total:
        access_log_write(
            user=None,
            system=SYSTEM,
            action=Action.DELETE,
            purpose=Purpose.ADMINISTRATION,
            detail=(
                f"inzagelog opgeschoond: {total} regels van vóór "
                f"{timezone.localtime(cutoff):%d-%m-%Y} (bewaartermijn {years} jaar)"
            ),
        )
        logger.info("Access log: %s entries older than %s purged", total, cutoff.isoformat())
    return total
