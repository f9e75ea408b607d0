import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pleegzorg.reminders import reminders_scan


class Command(BaseCommand):
    help = "Run the reminder scan once (beat runs it every 15 minutes) and report what it did."

    def handle(self, *args, **options):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = reminders_scan()
        seconds = time.perf_counter() - started
        for kind, count in sorted(result.created.items()):
            self.stdout.write(f"  {kind}: {count}")
        self.stdout.write(
            f"{result.total} new reminders, {result.notifications} notifications, "
            f"{result.emails_queued} emails queued; {len(queries)} queries in {seconds:.2f} s."
        )
