"""manage.py bench: every registered page, as its role, with its figures; the reminder scan
leaves nothing behind; the Markdown it writes has the table."""

import io

import pytest
from django.core.management import call_command

from pleegzorg import bench
from pleegzorg.models import Notification, Reminder


def test_every_main_page_is_registered_once_with_a_known_kind():
    labels = [page.label for page in bench.pages()]
    assert len(labels) == len(set(labels))
    # The pages issue 12 names: a start page per role, the case file's, the constellations'.
    for expected in [
        "Start page (caseworker)",
        "Start page (hub-home parent)",
        "Caseload (team lead), page 2",
        "Child file",
        "Calendar, month",
        "Log a stay",
        "Outcomes (all regions)",
    ]:
        assert expected in labels
    assert {page.kind for page in bench.pages()} <= set(bench.BUDGETS)
    with pytest.raises(ValueError):
        bench.register_page("Child file", "werker", "/")


def test_budgets_are_issue_12s():
    assert bench.within_budget("page", queries=15, median=30, p95=100)
    assert not bench.within_budget("page", queries=16, median=1, p95=1)
    assert not bench.within_budget("page", queries=5, median=31, p95=40)
    assert not bench.within_budget("page", queries=5, median=20, p95=101)
    assert bench.within_budget("dashboard", queries=15, median=300, p95=900)
    assert not bench.within_budget("dashboard", queries=15, median=301, p95=301)


def test_bench_times_every_page_as_its_role_and_writes_the_table(seeded, tmp_path, settings):
    settings.REQUIRE_2FA = False  # as make bench runs it (config.settings.local)
    reminders, notifications = Reminder.objects.count(), Notification.objects.count()
    out, target = io.StringIO(), tmp_path / "benchmarks.md"
    call_command("bench", "--repeat", "1", "--write", str(target), stdout=out)
    lines = out.getvalue().splitlines()
    for page in bench.pages():
        row = next(line for line in lines if line.startswith(f"{page.label:<44}"))
        assert row[44:].split()[:2] == [page.username, "200"], row
    assert f"{len(bench.pages())} pages" in lines[-2]
    # The scans ran in transactions rolled back: nothing stored, nothing queued.
    assert (Reminder.objects.count(), Notification.objects.count()) == (reminders, notifications)
    text = target.read_text(encoding="utf-8")
    assert "| Child file | werker | 200 |" in text
    assert "reminder scan, first" in text and "children" in text
