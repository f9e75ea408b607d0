"""The audit helpers every app shares: check that the actor may make a change, and write what
was changed or viewed to the access log. One home, so that views, commands and tasks refuse and
log the same way.

A refusal is a ``Refused`` (403) naming the record; ``RefusalLogMiddleware`` writes its denied
entry to the access log (a record one may not see answers 404 through ``get_visible_or_404``,
which logs it too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pleegzorg.audit import (
    Action,
    Purpose,
    access_log_entry,
    access_log_write,
    access_log_write_all,
)
from pleegzorg.permissions import Refused

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

    from pleegzorg.models import AccessLogEntry, User
    from pleegzorg.permissions import Policy


def require_change(
    user: User,
    policy: Policy,
    obj: Model,
    *,
    person: Model | None = None,
    purpose: str = Purpose.CARE,
) -> None:
    """Refuse (403, logged as denied) a change to ``obj`` that ``policy`` does not allow the user,
    with the policy's word on why (``Policy.refusal_message``). ``person`` is whom the record
    concerns (the child of a placement), for the access log."""
    if not policy.can_change(user, obj):
        raise Refused(
            obj=obj,
            person=person,
            purpose=purpose,
            action=Action.CHANGE,
            message=policy.refusal_message(user, obj),
        )


def log_change(
    *,
    actor: User,
    request: HttpRequest | None,
    person: Model | None,
    obj: Model | None = None,
    action: str = Action.CHANGE,
    purpose: str = Purpose.CARE,
    detail: str = "",
) -> AccessLogEntry:
    """Write a change (or creation) made for the care of ``person`` to the access log."""
    return access_log_write(
        user=actor,
        request=request,
        action=action,
        purpose=purpose,
        person=person,
        obj=obj,
        detail=detail,
    )


def log_view(
    request: HttpRequest,
    *,
    person: Model | None,
    obj: Model | None = None,
    action: str = Action.VIEW,
    purpose: str = Purpose.CARE,
    detail: str = "",
) -> AccessLogEntry:
    """Write that the requesting user viewed (or searched) data about ``person``."""
    return log_change(
        actor=request.user,
        request=request,
        person=person,
        obj=obj,
        action=action,
        purpose=purpose,
        detail=detail,
    )


def log_views(
    request: HttpRequest,
    records: list[tuple[Model | None, Model | None]],
    *,
    purpose: str = Purpose.CARE,
    detail: str = "",
) -> None:
    """:func:`log_view` for each ``(person, obj)`` of ``records``, written in one statement."""
    access_log_write_all(
        [
            access_log_entry(
                user=request.user,
                action=Action.VIEW,
                purpose=purpose,
                request=request,
                person=person,
                obj=obj,
                detail=detail,
            )
            for person, obj in records
        ]
    )
