"""Deleting a case file after its review: the one way a child's file leaves the application."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError
from django.utils.translation import gettext as _

from placements.models import Child, Parent, ParentChild
from placements.retention import rules
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import User
from pleegzorg.permissions import Refused


@dataclass(frozen=True)
class DeletedFile:
    child_id: int
    parents_deleted: int

    @property
    def label(self) -> str:
        """How the access log names it: by number, never by name."""
        return record_label("child", self.child_id)


LABELS = {"child": "pleegkind", "parent": "ouder"}


def record_label(kind: str, pk: int) -> str:
    """A deleted record in the access log: its kind and number ("pleegkind 123")."""
    return f"{LABELS[kind]} {pk}"


@transaction.atomic
def case_file_delete(*, actor: User, child: Child, confirmed: bool, request=None) -> DeletedFile:
    """Delete the case file of ``child``: the child, its placements with everything recorded in
    them (meetings, agreements, decisions, conversations, history), what other apps keep about
    the child (respite stays, attendance), and its parents who have no other child here.

    Only an application manager, only for a file due for review (unchanged for
    ``CASE_FILE_RETENTION_YEARS``), and only when a person ``confirmed`` it. The child's row is
    locked first (``FOR UPDATE`` also holds off new rows that point at it), and the file is
    checked again under that lock: a file that changed meanwhile is refused. Each record deleted
    is written to the access log by number (``pleegkind 123``), in this transaction: the entries
    outlive the records and name no one.
    """
    if not actor.is_app_manager:
        raise Refused(obj=child, person=child, purpose=Purpose.ADMINISTRATION, action=Action.DELETE)
    if not confirmed:
        raise ValidationError(
            {"confirmed": _("Tick the box to confirm that you reviewed this file.")}
        )
    list(Child.objects.select_for_update().filter(pk=child.pk).values_list("pk", flat=True))
    file = Child.objects.due_for_review().filter(pk=child.pk).first()
    if file is None:
        raise ValidationError(
            _("This file has changed in the meantime and is no longer due for deletion.")
        )
    parents = list(
        Parent.objects.filter(child_links__child=file)
        .filter(~Exists(ParentChild.objects.filter(parent=OuterRef("pk")).exclude(child=file)))
        .order_by("pk")
    )
    years = settings.CASE_FILE_RETENTION_YEARS
    detail = (
        f"dossier vernietigd na beoordeling: bewaartermijn {years} jaar, "
        f"laatst gewijzigd {file.file_changed_on:%d-%m-%Y}"
    )
    _log_deletion(actor, request, file, record_label("child", file.pk), detail)
    for parent in parents:
        _log_deletion(
            actor,
            request,
            parent,
            record_label("parent", parent.pk),
            f"ouder vernietigd met {record_label('child', file.pk)}",
        )
    child_id = file.pk
    try:
        rules.erase_parts([child_id])
        file.delete()
        Parent.objects.filter(pk__in=[p.pk for p in parents]).delete()
    except ProtectedError as error:
        # A part of the file that no app registered an eraser for: nothing is deleted.
        raise ValidationError(
            _("This file cannot be deleted yet: %(what)s still refer to it.")
            % {
                "what": ", ".join(
                    sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects})
                )
            }
        ) from error
    return DeletedFile(child_id=child_id, parents_deleted=len(parents))


def _log_deletion(actor, request, obj, label: str, detail: str) -> None:
    access_log_write(
        user=actor,
        request=request,
        action=Action.DELETE,
        purpose=Purpose.ADMINISTRATION,
        person=obj,
        obj=obj,
        record_label=label,
        detail=detail,
    )
