from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pleegzorg import demo


class Command(BaseCommand):
    help = "Fill the database with synthetic Dutch demo data (idempotent). Never in production."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="small")
        parser.add_argument(
            "--show-accounts", action="store_true", help="Only print the demo accounts."
        )

    def handle(self, *args, scale: str, show_accounts: bool, **options):
        if not show_accounts:
            if getattr(settings, "IS_PRODUCTION", False):
                raise CommandError("seed_demo never runs with production settings.")
            demo.seed(scale, log=self.stdout.write)
        self.stdout.write(demo.accounts_table())
