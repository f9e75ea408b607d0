"""Celery tasks of the placements app: thin wrappers that call a service (beat schedule in
settings)."""

from celery import shared_task

from placements.invitations import services as invitations


@shared_task
def close_accounts_of_stopped_families() -> int:
    """A family that stops loses its foster parents' access on its stop date (issue 13)."""
    return invitations.close_accounts_of_stopped_families()
