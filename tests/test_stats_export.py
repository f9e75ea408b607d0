"""The building blocks of every dashboard: Wilson intervals, small counts, Dutch CSV."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import translation

from pleegzorg import stats
from pleegzorg.charts import line_chart
from pleegzorg.export import BOM, csv_response, csv_text
from pleegzorg.models import AccessLogEntry


def test_the_wilson_interval_matches_a_hand_computed_one():
    # 10 of 50: p = 0.2; Wilson 95 %: 0.1124 to 0.3304 (Newcombe 1998, method 3).
    low, high = stats.wilson_interval(10, 50)
    assert low == pytest.approx(0.1124, abs=1e-4)
    assert high == pytest.approx(0.3304, abs=1e-4)
    assert stats.wilson_interval(0, 10)[0] == 0.0
    assert stats.wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert stats.wilson_interval(0, 0) is None


def test_small_counts_are_suppressed_and_small_groups_not_compared():
    with translation.override("nl"):
        assert stats.count_text(4) == "te weinig"
        assert stats.count_text(0) == "0"
        assert stats.count_text(5) == "5"
        assert stats.Proportion(3, 40).percent_text() == "te weinig"
        assert stats.Proportion(6, 19).percent_text() == "te weinig om te vergelijken"
        assert stats.Proportion(10, 50).percent_text() == "20 % (95%-interval 11 tot 33 %)"
        assert stats.Proportion(0, 0).percent_text() == "—"
    assert stats.rate_per_1000(3, 1500) == 2.0
    assert stats.rate_per_1000(3, 0) is None


def test_a_csv_opens_in_dutch_excel():
    text = csv_text(["Naam", "Datum", "Aantal"], [["Sanne; Bos", dt.date(2026, 3, 4), 2.5]])
    assert text.startswith(BOM)
    lines = text[1:].split("\r\n")
    assert lines[0] == "Naam;Datum;Aantal"
    assert lines[1] == '"Sanne; Bos";04-03-2026;2,5'


@pytest.mark.django_db
def test_an_export_is_logged_and_an_empty_table_has_its_headers(caseworker):
    request = RequestFactory().get("/export")
    request.user = caseworker
    response = csv_response(request, filename="leeg.csv", headers=["Naam"], rows=[])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8") == BOM + "Naam\r\n"
    entry = AccessLogEntry.objects.get()
    assert entry.action == AccessLogEntry.Action.EXPORT and entry.user == caseworker


def test_a_chart_is_an_image_without_script():
    chart = line_chart(
        title="Test", labels=["jan 2026", "feb 2026"], series={"a": [1, None]}, alt="Tekst"
    )
    assert chart.src.startswith("data:image/svg+xml;base64,")
    assert chart.alt == "Tekst"
    import base64

    svg = base64.b64decode(chart.src.split(",", 1)[1]).decode()
    assert "<script" not in svg
