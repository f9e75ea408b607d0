"""Server time and queries of pages, as one user sees them: the median of N requests.

    python manage.py time_pages --as teamleider --repeat 20 /dashboard/ /uitkomsten/

See ``pleegzorg.timing``; it refuses to run with production settings.

Figures kept under their tables' generations (``pleegzorg.generations``) are found again while
nothing changed, as between requests here. ``--cold`` empties them before every request: the
time of computing every figure afresh, as after any change to the data they read.
"""

from __future__ import annotations

from django.core.cache import caches
from django.core.management.base import BaseCommand

from pleegzorg import generations, timing


class Command(BaseCommand):
    help = "Median server time and query count of pages, requested as one user."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="URL paths, e.g. /dashboard/?team=3")
        parser.add_argument("--as", dest="username", required=True, help="the user to log in as")
        parser.add_argument("--repeat", type=int, default=20, help="requests per page (20)")
        parser.add_argument(
            "--cold", action="store_true", help="forget the kept figures before each request"
        )

    def handle(self, *args, paths: list[str], username: str, repeat: int, cold: bool, **options):
        timing.refuse_production("time_pages")
        client, _user = timing.signed_in_client(username)
        forget = caches[generations.CACHE].clear if cold else None
        self.stdout.write(f"{'page':<50} {'status':>6} {'queries':>7} {'median':>9} {'max':>9}")
        for path in paths:
            result = timing.measure(client, path, repeat, before_each=forget)
            self.stdout.write(
                f"{path:<50} {result.status:>6} {result.queries:>7} "
                f"{result.median:>7.1f}ms {result.slowest:>7.1f}ms"
            )
