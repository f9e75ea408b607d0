"""manage.py bench: every registered page, as its role, with its figures; the reminder scan
leaves nothing behind; the Markdown it writes has the table."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pleegzorg import bench
from pleegzorg.models import Notification, Reminder
from pleegzorg.timing import signed_in_client


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
    # Dashboards: within three times their floor; a page's ratio is shown, not held.
    assert bench.within_budget("dashboard", queries=9, median=90, p95=90, floor=30)
    assert not bench.within_budget("dashboard", queries=9, median=91, p95=91, floor=30)
    assert bench.within_budget("page", queries=9, median=20, p95=20, floor=1)


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
def test_a_floor_is_the_signed_in_reads_and_the_pages_own_sql(seeded, settings):
    page = next(page for page in bench.pages() if page.label == "Notifications")
    client, user = signed_in_client(page.username)
    statements = page.floor_statements(user, client.session.session_key)
    assert [sql for sql, _ in statements[:2]] == [bench.SIGNED_IN_SESSION, bench.SIGNED_IN_USER]
    assert len(statements) > 2
    with connection.cursor() as cursor:
        rows = []
        for sql, params in statements:
            cursor.execute(sql, params)
            rows.append(cursor.fetchall())
    session, (me,), notices = rows
    assert len(session) == 1 and me[1] == user.username
    assert me[-1] == Notification.objects.filter(user=user, read_at=None).count()
    assert (
        len(notices) == min(settings.PAGE_SIZE, Notification.objects.filter(user=user).count()) > 0
    )


@pytest.mark.usefixtures("requires_postgresql")  # the floors are PostgreSQL's SQL
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
    assert "| page | as | status | queries | median | p95 | floor | ratio |" in text
    assert "reminder scan, first" in text and "children" in text


def test_growth_problems_are_pages_over_budget_or_running_more_queries_with_more_data():
    small = {"Child file": 12, "Dashboard (all teams)": 11}
    assert bench.growth_problems({"small": small, "sector": dict(small)}) == []
    grew = bench.growth_problems({"small": small, "sector": {**small, "Child file": 13}})
    assert grew == ["Child file: 12 queries at small, 13 at sector"]
    over = bench.growth_problems({"small": {**small, "Child file": 16}, "sector": small})
    assert over == ["Child file: 16 queries at small (at most 15)"]
    # Fewer queries with more data is fine.
    assert bench.growth_problems({"small": small, "sector": {**small, "Child file": 9}}) == []


def test_bench_growth_records_each_scale_and_fails_when_a_page_grows(seeded, tmp_path, settings):
    settings.REQUIRE_2FA = False
    out = io.StringIO()
    call_command("bench_growth", "--record", "small", "--into", str(tmp_path), stdout=out)
    recorded = json.loads((tmp_path / "queries-small.json").read_text(encoding="utf-8"))
    assert set(recorded["queries"]) == {page.label for page in bench.pages()}
    assert recorded["data"]["children"] > 0
    # The same counts at a larger scale: all well, and the table says so.
    larger = {**recorded, "data": {"children": 10 * recorded["data"]["children"]}}
    (tmp_path / "queries-sector.json").write_text(json.dumps(larger), encoding="utf-8")
    target = tmp_path / "growth.md"
    call_command("bench_growth", "--compare", str(tmp_path), "--write", str(target), stdout=out)
    text = target.read_text(encoding="utf-8")
    assert "| page | small | sector |" in text and "none runs more" in text
    # One page runs a query more at the sector: the comparison fails and names it.
    larger["queries"]["Start page (liaison)"] += 1
    (tmp_path / "queries-sector.json").write_text(json.dumps(larger), encoding="utf-8")
    with pytest.raises(CommandError, match="1 pages grow"):
        call_command("bench_growth", "--compare", str(tmp_path), stdout=io.StringIO())


def test_every_page_has_its_floor():
    assert [page.label for page in bench.pages() if page.floor is None] == []
