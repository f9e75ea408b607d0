"""The timing command measures real pages and says what it measured."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.mark.django_db
def test_time_pages_reports_status_queries_and_median(caseworker):
    # Measured as a user who passed both login steps, with the app they have.
    TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)
    out = io.StringIO()
    call_command(
        "time_pages", "/", "/caseload/", "--as", caseworker.username, "--repeat", "3", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["page", "status", "queries"]
    start, caseload = lines[1].split(), lines[2].split()
    assert start[0] == "/" and start[1] == "200" and int(start[2]) > 0
    assert caseload[0] == "/caseload/" and caseload[1] == "200"
    assert caseload[3].endswith("ms")


@pytest.mark.django_db
def test_time_pages_needs_a_known_user():
    with pytest.raises(CommandError):
        call_command("time_pages", "/", "--as", "nobody")


def test_cold_measures_the_figures_computed_afresh(team_lead, requires_postgresql):
    """Warm, the outcome monitor's figures are found kept (one query for the generations);
    ``--cold`` forgets them before every request, so every figure is asked for again."""
    TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)

    def queries(*options):
        out = io.StringIO()
        args = ("/uitkomsten/", "--as", team_lead.username, "--repeat", "2", *options)
        call_command("time_pages", *args, stdout=out)
        return int(out.getvalue().splitlines()[1].split()[2])

    assert queries("--cold") > queries() + 5
