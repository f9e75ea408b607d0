"""Writing the access log (NEN 7513). Every feature logs through ``access_log_write``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models

from pleegzorg.models import AccessLogEntry

if TYPE_CHECKING:
    from django.http import HttpRequest

    from pleegzorg.models import User

Action = AccessLogEntry.Action
Outcome = AccessLogEntry.Outcome
Purpose = AccessLogEntry.Purpose


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, as the web server saw it.

    Behind a proxy, run gunicorn with --forwarded-allow-ips so that REMOTE_ADDR is the client's.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def access_log_write(**fields) -> AccessLogEntry:
    """Append one entry (the fields of :func:`access_log_entry`)."""
    entry = access_log_entry(**fields)
    entry.save(force_insert=True)
    return entry


def access_log_write_all(entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """Append several entries of :func:`access_log_entry` in one statement: a page that shows
    a few people's data logs each read without a query per person."""
    return AccessLogEntry.objects.bulk_create(entries)


def access_log_entry(
    *,
    user: User | None,
    action: str,
    purpose: str,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    person: models.Model | None = None,
    outcome: str = Outcome.ALLOWED,
    on_behalf_of: User | None = None,
    detail: str = "",
    record_label: str = "",
    system: str = "",
) -> AccessLogEntry:
    """One entry, not yet written. ``person`` is whom the data concerns (a child, a parent);
    ``obj`` the record touched (defaults to the person). Denied attempts are written with
    outcome DENIED.

    ``record_label`` replaces the names of the person and the record (which are personal data)
    where the entry must outlive the record: a deletion is logged as "pleegkind 123". ``system``
    names a scheduled job that acts without a user ("bewaartermijn").
    """
    if obj is None:
        obj = person
    authenticated = user is not None and user.is_authenticated
    entry = AccessLogEntry(
        user=user if authenticated else None,
        user_label=_user_label(user) if authenticated else (system or "(anoniem)"),
        role=user.role if authenticated else "",
        on_behalf_of=on_behalf_of,
        action=action,
        outcome=outcome,
        purpose=purpose,
        ip_address=client_ip(request),
        detail=detail[:500],
    )
    if person is not None:
        entry.person_type = ContentType.objects.get_for_model(person)
        entry.person_id = person.pk
        entry.person_label = (record_label or str(person))[:200]
    if obj is not None:
        entry.object_type = ContentType.objects.get_for_model(obj)
        entry.object_id = obj.pk
        entry.object_label = (record_label or str(obj))[:200]
    return entry


def _user_label(user: User) -> str:
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username
