"""Do the pages' queries stay as few with more data? ``make bench-growth`` runs this.

    python manage.py bench_growth --record SCALE --into DIR   # on each scale's database
    python manage.py bench_growth --compare DIR [--write docs/benchmarks-growth.md]

``--record`` requests every page ``make bench`` knows once (after one to warm up) as its role
on this database and keeps the query counts as ``DIR/queries-SCALE.json``, with the data counts.
``--compare`` puts the scales side by side, smallest first, and fails when a page runs more than
its budget of queries or more queries than at the scale before (``pleegzorg.bench``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pleegzorg import bench, timing

# Smallest first: the scales of seed_demo the growth check knows.
ORDER = ["small", "org", "sector", "sector10"]


class Command(BaseCommand):
    help = "Record the pages' query counts at a scale, or compare the scales recorded."

    def add_arguments(self, parser):
        parser.add_argument("--record", metavar="SCALE", help="the scale this database holds")
        parser.add_argument("--into", default="var/bench", help="where the counts are kept")
        parser.add_argument("--compare", metavar="DIR", help="compare the counts kept in DIR")
        parser.add_argument("--write", help="also write the comparison to this Markdown file")

    def handle(self, *args, record, into, compare, write, **options):
        timing.refuse_production("bench_growth")
        if record:
            self.record(record, Path(into))
        elif compare:
            self.compare(Path(compare), write)
        else:
            raise CommandError("Give --record SCALE or --compare DIR.")

    def record(self, scale: str, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        data = {"queries": timing.query_counts(bench.pages()), "data": dict(bench.counts())}
        target = folder / f"queries-{scale}.json"
        target.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"{len(data['queries'])} pages at {scale}: written to {target}.")

    def compare(self, folder: Path, write: str | None) -> None:
        found = {path.stem.removeprefix("queries-"): path for path in folder.glob("queries-*.json")}
        scales = sorted(found, key=lambda scale: ORDER.index(scale) if scale in ORDER else 99)
        if len(scales) < 2:
            raise CommandError(f"Fewer than two scales recorded in {folder}.")
        kept = {scale: json.loads(found[scale].read_text(encoding="utf-8")) for scale in scales}
        counts = {scale: kept[scale]["queries"] for scale in scales}
        lines = [
            "# Queries per page as the data grows",
            "",
            "Made by `make bench-growth` (`manage.py bench_growth`); rewritten on every run.",
            "",
            f"- Date: {dt.date.today().isoformat()}",  # noqa: DTZ011 — the machine's day
        ]
        for scale in scales:
            data = ", ".join(f"{n:,} {label}" for label, n in kept[scale]["data"].items())
            lines.append(f"- {scale}: {data}")
        lines += [
            "",
            "| page | " + " | ".join(scales) + " |",
            "|---|" + "---|" * len(scales),
        ]
        for label in counts[scales[-1]]:
            row = " | ".join(str(counts[scale].get(label, "—")) for scale in scales)
            lines.append(f"| {label} | {row} |")
        problems = bench.growth_problems(counts)
        lines += (
            ["", *(f"- **{problem}**" for problem in problems)]
            if problems
            else [
                "",
                "No page runs more than 15 queries, and none runs more with more data.",
            ]
        )
        text = "\n".join(lines) + "\n"
        self.stdout.write(text)
        if write:
            Path(write).write_text(text, encoding="utf-8")
        if problems:
            raise CommandError(f"{len(problems)} pages grow or are over their query budget.")
