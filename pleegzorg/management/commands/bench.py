"""Speed as a measured fact: every main page, requested as the role that uses it.

    python manage.py bench [--repeat 30] [--write docs/benchmarks.md] [--seed-seconds S]

For each page registered in ``pleegzorg.bench`` (each app adds its own): the status, the
queries, and the median and 95th-percentile server time over ``--repeat`` requests (see
``pleegzorg.timing``), its floor (the median of its hand-written SQL, as many runs) and the
ratio page / floor, against the budgets of issue 12. Then the reminder scan (first: with
every stored reminder set aside inside a transaction that is rolled back; repeat: nothing new),
and the peak memory of this process, which served every request as a web worker would.
``make bench`` seeds ``--scale sector`` into a database of its own first. With ``--write`` the
table goes to a Markdown file with the date, the machine and the data counts.

It refuses to run with production settings: every request is a real one, logged as usual.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import time
from pathlib import Path

from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from pleegzorg import bench, generations, timing
from pleegzorg.models import Notification, Reminder
from pleegzorg.reminders import reminders_scan


class Rollback(Exception):
    """Leaves the first scan's transaction without a trace."""


class Command(BaseCommand):
    help = "Time every main page as its role, the reminder scan and the memory; print a table."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="requests per page (30)")
        parser.add_argument("--write", help="also write the table to this Markdown file")
        parser.add_argument(
            "--seed-seconds", type=float, help="how long seeding took (make bench passes it)"
        )
        parser.add_argument("--only", help="only the pages whose label contains this")

    def handle(self, *args, repeat: int, write: str | None, seed_seconds, only, **options):
        timing.refuse_production("bench")
        rows = []
        self.stdout.write(
            f"{'page':<44} {'as':<11} status queries   median      p95    floor  ratio"
        )
        pages = [page for page in bench.pages() if not only or only.lower() in page.label.lower()]
        clients = timing.clients_for(pages)
        for page in pages:
            client, user = clients[page.username]
            forget = caches[generations.CACHE].clear if page.fresh else None
            result = timing.measure(client, page.path(user), repeat, before_each=forget)
            statements = page.floor_statements(user, client.session.session_key)
            floor = None if statements is None else timing.measure_sql(statements, repeat)
            ok = result.status == 200 and bench.within_budget(
                page.kind, result.most_queries, result.median, result.p95, floor
            )
            rows.append((page, result, floor, ok))
            self.stdout.write(
                f"{page.label:<44} {page.username:<11} {result.status:>6} "
                f"{result.most_queries:>7} {result.median:>6.1f} ms {result.p95:>6.1f} ms "
                "{:>8} {:>6}".format(*self.floor_columns(result, floor))
                + ("" if ok else "  over budget")
            )
        first, repeat_scan = self.scan_seconds()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        extra = [
            ("reminder scan, first (every reminder new)", f"{first:.2f} s"),
            ("reminder scan, repeat (nothing new)", f"{repeat_scan:.2f} s"),
            ("peak memory of this process (served every request)", f"{peak_mb:.0f} MB"),
        ]
        if seed_seconds is not None:
            extra.insert(0, ("seeding --scale sector", f"{seed_seconds:.0f} s"))
        for label, value in extra:
            self.stdout.write(f"{label:<52} {value}")
        over = sum(1 for *_, ok in rows if not ok)
        self.stdout.write(f"{len(rows)} pages, {over} over their budget.")
        if write:
            Path(write).write_text(self.markdown(rows, extra, repeat), encoding="utf-8")
            self.stdout.write(f"Written to {write}.")

    @staticmethod
    def floor_columns(result: timing.Timing, floor: float | None) -> tuple[str, str]:
        """The floor and page / floor as text; dashes for a page whose floor is not written."""
        if floor is None:
            return "—", "—"
        return f"{floor:.1f} ms", f"{result.median / max(floor, 0.001):.1f}x"

    def scan_seconds(self) -> tuple[float, float]:
        """The reminder scan as on a database that has stored none yet, and as beat runs it
        every 15 minutes with nothing new; each inside a transaction that is rolled back, so no
        reminder, notification or email stays, and nothing is queued."""
        first = self.timed_scan(start_empty=True)
        return first, self.timed_scan(start_empty=False)

    def timed_scan(self, *, start_empty: bool) -> float:
        try:
            with transaction.atomic():
                if start_empty:
                    Notification.objects.all().delete()
                    Reminder.objects.all().delete()
                started = time.perf_counter()
                reminders_scan(follow_up=False)
                seconds = time.perf_counter() - started
                raise Rollback
        except Rollback:
            return seconds

    def markdown(self, rows, extra, repeat: int) -> str:
        database = connection.vendor
        if database == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT version()")
                database = cursor.fetchone()[0].split(" on ")[0]
        counts = ", ".join(f"{n:,} {label}" for label, n in bench.counts())
        lines = [
            "# Benchmarks",
            "",
            "Made by `make bench` (`python manage.py bench`); rewritten on every run.",
            "",
            f"- Date: {dt.date.today().isoformat()}",  # noqa: DTZ011 — the machine's day
            f"- Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {database}",
            f"- Data: {counts}",
            f"- Each page: {repeat} requests as its role after one to warm up; server time "
            "(the test client in one process, no network). Floor: the median of the page's "
            "hand-written SQL (`floor` in each app's `bench.py`: the session, the user and "
            "exactly what the page shows), run and fetched the same number of times; ratio: "
            "page / floor. Budgets (issue 12): pages at most 15 queries, median 30 ms and p95 "
            "100 ms; dashboards at most 15 queries, median 300 ms and 3 times their floor.",
            "",
            "| page | as | status | queries | median | p95 | floor | ratio | within budget |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for page, result, floor, ok in rows:
            floor_text, ratio = self.floor_columns(result, floor)
            lines.append(
                f"| {page.label} | {page.username} | {result.status} | {result.most_queries} | "
                f"{result.median:.1f} ms | {result.p95:.1f} ms | {floor_text} | {ratio} | "
                f"{'yes' if ok else '**no**'} |"
            )
        lines += ["", "| also | |", "|---|---|"]
        lines += [f"| {label} | {value} |" for label, value in extra]
        return "\n".join(lines) + "\n"
