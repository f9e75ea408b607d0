from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Remove expired sessions (idle timeout) from the database, nightly via beat."""
    call_command("clearsessions")
