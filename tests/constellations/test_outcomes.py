"""The outcome monitor's figures against hand-computed ones, on a small fixed data set.

The period is calendar 2025. Families: A (member of the constellation throughout), B (member
until 30 June 2025: left mid-period), D (joined on 1 April 2025, after its placement began),
E (member, stops in May), O (never a member). Care-days are counted with both ends included.

| placement | child | family | kind      | start      | end        | reason        | days in / out |
|-----------|-------|--------|-----------|------------|------------|---------------|---------------|
| p1        | 1     | A      | full-time | 2024-07-01 | 2025-03-31 | premature     | 90 / 0        |
| p2 (move) | 1     | O      | full-time | 2025-04-01 | —          |               | 0 / 275       |
| p3        | 2     | B      | full-time | 2025-01-01 | 2025-09-30 | other family  | 181 / 92      |
| p4 (move) | 2     | O      | full-time | 2025-10-01 | 2025-11-30 | return home   | 0 / 61        |
| p5        | 2     | A      | full-time | 2025-12-15 | —          | (after home)  | 17 / 0        |
| p6        | 3     | D      | full-time | 2025-01-01 | —          |               | 275 / 90      |
| p7        | 3     | O      | respite   | 2025-05-01 | 2025-05-03 | other         | 0 / 3         |
| p9        | 4     | O      | full-time | 2024-01-01 | 2025-02-28 | premature     | 0 / 59        |
| p10       | 4     | A      | respite   | 2025-03-05 | 2025-03-07 | other         | 3 / 0         |
| p11       | 5     | E      | full-time | 2024-01-01 | 2024-12-31 | return home   | 0 / 0         |
| p12       | 6     | A      | crisis    | 2025-11-10 | —          |               | 52 / 0        |
| p13       | 7     | O      | crisis    | 2024-10-15 | 2024-10-20 | other         | 0 / 0         |
| p14       | 8     | D      | part-time | 2025-12-01 | —          |               | 31 / 0        |

Inside 649 care-days, outside 580. A placement of another region (premature) counts nowhere.
"""

import datetime as dt

import pytest

from constellations.factories import BedFactory, ConstellationFactory, HubHomeFactory
from constellations.models import Membership, RespiteStay
from constellations.outcomes import selectors
from constellations.outcomes.report import outcome_report, rate_text
from constellations.outcomes.selectors import Period
from placements.factories import ChildFactory, FosterFamilyFactory, PlacementFactory
from placements.models import CareKind, FosterFamily, FosterFamilyStatusChange, Placement
from pleegzorg.factories import RegionFactory, TeamFactory, UserFactory
from pleegzorg.stats import Proportion

D = dt.date
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))
END = Placement.EndReason
STOP = FosterFamily.StopReason


@pytest.fixture
def data(caseworker, team):
    constellation = ConstellationFactory(region=team.region, start_date=D(2023, 1, 1))
    hub = HubHomeFactory(constellation=constellation)
    bed = BedFactory(hub=hub)
    families = {name: FosterFamilyFactory(name=f"Familie {name}") for name in "ABDEO"}
    for name, joined, left in [
        ("A", D(2024, 1, 1), None),
        ("B", D(2024, 6, 1), D(2025, 6, 30)),
        ("D", D(2025, 4, 1), None),
        ("E", D(2024, 1, 1), None),
    ]:
        Membership.objects.create(
            constellation=constellation, family=families[name], joined_on=joined, left_on=left
        )
    for name, active_on, stopped_on, reason in [
        ("A", D(2023, 1, 1), None, ""),
        ("B", D(2024, 1, 1), D(2025, 8, 15), STOP.DISAPPOINTING_SUPPORT),
        ("D", D(2024, 5, 1), None, ""),
        ("E", D(2022, 1, 1), D(2025, 5, 5), STOP.BREAKDOWN),
        ("O", D(2020, 1, 1), D(2025, 2, 1), STOP.AGE_OR_HEALTH),
    ]:
        family = families[name]
        FosterFamilyStatusChange.objects.create(
            family=family, status="active", changed_on=active_on
        )
        if stopped_on:
            FosterFamilyStatusChange.objects.create(
                family=family, status="stopped", changed_on=stopped_on
            )
            family.status, family.stop_date, family.stop_reason = "stopped", stopped_on, reason
            family.save()
    children = {n: ChildFactory() for n in range(1, 9)}
    rows = [
        (1, "A", CareKind.FULL_TIME, D(2024, 7, 1), D(2025, 3, 31), END.PREMATURE),
        (1, "O", CareKind.FULL_TIME, D(2025, 4, 1), None, ""),
        (2, "B", CareKind.FULL_TIME, D(2025, 1, 1), D(2025, 9, 30), END.OTHER_FAMILY),
        (2, "O", CareKind.FULL_TIME, D(2025, 10, 1), D(2025, 11, 30), END.RETURN_HOME),
        (2, "A", CareKind.FULL_TIME, D(2025, 12, 15), None, ""),
        (3, "D", CareKind.FULL_TIME, D(2025, 1, 1), None, ""),
        (3, "O", CareKind.RESPITE, D(2025, 5, 1), D(2025, 5, 3), END.OTHER),
        (4, "O", CareKind.FULL_TIME, D(2024, 1, 1), D(2025, 2, 28), END.PREMATURE),
        (4, "A", CareKind.RESPITE, D(2025, 3, 5), D(2025, 3, 7), END.OTHER),
        (5, "E", CareKind.FULL_TIME, D(2024, 1, 1), D(2024, 12, 31), END.RETURN_HOME),
        (6, "A", CareKind.CRISIS, D(2025, 11, 10), None, ""),
        (7, "O", CareKind.CRISIS, D(2024, 10, 15), D(2024, 10, 20), END.OTHER),
        (8, "D", CareKind.PART_TIME, D(2025, 12, 1), None, ""),
    ]
    for child, family, kind, start, end, reason in rows:
        PlacementFactory(
            child=children[child],
            family=families[family],
            kind=kind,
            start_date=start,
            end_date=end,
            end_reason=reason,
            caseworker=caseworker,
        )
    elsewhere = UserFactory(team=TeamFactory(region=RegionFactory(name="Elders")))
    PlacementFactory(
        family=families["O"],
        start_date=D(2025, 1, 1),
        end_date=D(2025, 6, 1),
        end_reason=END.PREMATURE,
        caseworker=elsewhere,
    )
    # Respite nights: 3 in June, 1 of a stay across New Year, none of a cancelled one.
    for arrival, departure, status in [
        (D(2025, 6, 10), D(2025, 6, 13), RespiteStay.Status.COMPLETED),
        (D(2024, 12, 30), D(2025, 1, 2), RespiteStay.Status.COMPLETED),
        (D(2025, 7, 1), D(2025, 7, 5), RespiteStay.Status.CANCELLED),
    ]:
        RespiteStay.objects.create(
            constellation=constellation,
            bed=bed,
            child=children[3],
            family=families["D"],
            arrival=arrival,
            departure=departure,
            reason=RespiteStay.Reason.FUN,
            status=status,
        )
    return [team.region_id]


def windows(period=YEAR):
    months = selectors.trend_months(period.end)
    return {"p": (period.start, period.end), **{f"m{i}": m for i, m in enumerate(months)}}


def test_endings_count_on_the_day_they_happened(data):
    figures = selectors.endings(data, windows())
    assert figures["p"] == {"ended": {"in": 2, "out": 4}, "premature": {"in": 1, "out": 1}}
    march_2025 = figures["m14"]  # January 2024 is m0
    assert march_2025 == {"ended": {"in": 2, "out": 0}, "premature": {"in": 1, "out": 0}}


def test_care_days_split_by_membership_periods(data):
    figures = selectors.care_days(data, windows())["days"]
    assert figures["p"] == {"in": 649, "out": 580}
    # July 2025: B has left, so p3's days are outside; D has joined, so p6's are inside.
    assert figures["m18"] == {"in": 31, "out": 31 + 31}


def test_moves_leave_out_first_placements_respite_and_return_home(data):
    figures = selectors.moves(data, windows())
    # p2 (child 1 leaving A, a member) inside; p4 (child 2 leaving B after B left) outside.
    assert figures["p"] == {"in": 1, "out": 1}
    assert figures["m15"] == {"in": 1, "out": 0}  # April 2025
    assert figures["m21"] == {"in": 0, "out": 1}  # October 2025


def test_children_with_three_or_more_placements(data):
    figures = selectors.children_with_many_placements(data, windows())
    # Inside: children 2, 3, 6, 8 (child 2 had three placements); outside: children 1 and 4.
    assert figures["p"] == {"children": {"in": 4, "out": 2}, "many": {"in": 1, "out": 0}}
    # The 12 months up to March 2025: children 1 (A), 2 (B, still a member) and 5 (E) inside;
    # 3 (D joins in April), 4 and 7 outside; nobody had three placements yet.
    assert figures["m14"] == {"children": {"in": 3, "out": 3}, "many": {"in": 0, "out": 0}}


def test_a_child_of_a_family_that_joined_twice_counts_once(caseworker, team):
    """Memberships repeat a placement in the join: a child with one placement in a family that
    left its constellation and joined again is still one child, on the side of the day that
    decides (the placement's last day in the 12 months)."""
    constellation = ConstellationFactory(region=team.region, start_date=D(2020, 1, 1))
    twice, once = FosterFamilyFactory(name="Twee keer"), FosterFamilyFactory(name="Een keer")
    for joined, left in [(D(2023, 1, 1), D(2024, 12, 31)), (D(2025, 6, 1), None)]:
        Membership.objects.create(
            constellation=constellation, family=twice, joined_on=joined, left_on=left
        )
    Membership.objects.create(constellation=constellation, family=once, joined_on=D(2020, 1, 1))
    PlacementFactory(family=twice, caseworker=caseworker, start_date=D(2024, 1, 1))
    PlacementFactory(family=once, caseworker=caseworker, start_date=D(2024, 1, 1))
    # Three placements, for a child of each family and one more for the first child: that
    # child counts once too, per child.
    child = PlacementFactory(
        family=twice,
        caseworker=caseworker,
        start_date=D(2024, 2, 1),
        end_date=D(2024, 3, 1),
        end_reason=END.OTHER_FAMILY,
    ).child
    PlacementFactory(family=once, caseworker=caseworker, child=child, start_date=D(2024, 3, 2))
    figures = selectors.children_with_many_placements([team.region_id], windows())
    # 2025: both running on 31 December, both families members then.
    assert figures["p"]["children"] == {"in": 3, "out": 0}
    # The 12 months up to March 2025: "Twee keer" between its memberships on 31 March.
    assert figures["m14"]["children"] == {"in": 2, "out": 1}


def test_family_stops_of_the_families_active_at_the_start(data):
    figures = selectors.family_stops(data, YEAR)
    # Active on 1 January: A, B, E inside; D (joined in April) and O outside. B stopped after
    # leaving: outside, on the day it happened.
    assert figures["active"] == {"in": 3, "out": 2}
    assert figures["stopped"] == {"in": 1, "out": 2}
    assert figures["reasons"][STOP.BREAKDOWN] == {"in": 1, "out": 0}
    assert figures["reasons"][STOP.DISAPPOINTING_SUPPORT] == {"in": 0, "out": 1}
    assert figures["reasons"][STOP.AGE_OR_HEALTH] == {"in": 0, "out": 1}
    stops = selectors.stops_per_window(data, windows())
    assert stops["p"] == {"in": 1, "out": 2}
    assert stops["m19"] == {"in": 0, "out": 1}  # August 2025


def test_respite_nights_and_member_families(data):
    w = windows()
    assert selectors.respite_nights(data, w)["p"] == 3 + 1
    assert selectors.respite_nights(data, w)["m11"] == 2  # December 2024
    assert selectors.member_families(data, w)["p"] == 4  # A, B, D, E


def test_crisis_this_quarter_and_part_time_in_use(data):
    figures = selectors.crisis_and_part_time(data, YEAR.end, windows())
    assert figures["quarter"] == Period(D(2025, 10, 1), D(2025, 12, 31))
    assert figures["crisis_this"] == {"in": 1, "out": 0}
    assert figures["crisis_last"] == {"in": 0, "out": 1}
    assert figures["active"]["p"] == {"in": 4, "out": 1}
    assert figures["part_time"]["p"] == {"in": 1, "out": 0}
    # On 30 June 2025: p2 (O), p3 (B, a member until that day) and p6 (D) ran, none part-time.
    assert figures["active"]["m17"] == {"in": 2, "out": 1}
    assert figures["part_time"]["m17"] == {"in": 0, "out": 0}


def test_a_period_without_data_shows_dashes_and_zeroes(data):
    report = outcome_report(data, Period(D(2010, 1, 1), D(2010, 12, 31)))
    assert report.empty
    for row in report.rows:
        assert row.inside.text == "—"
        assert row.outside.text == "—"
        assert row.inside.numerator in ("0", "")
    texts = {
        text
        for trend in report.trends
        for _m, inside, outside in trend.months
        for text in (inside, outside)
    }
    assert texts <= {"0", "—", "0 / 0"}


def test_a_region_without_any_data_divides_by_nothing(db):
    report = outcome_report([], YEAR)
    assert report.empty
    assert report.crisis["aim"] == "—"


def test_small_counts_are_suppressed_and_large_ones_get_an_interval(dutch):
    assert Proportion(3, 40).percent_text() == "te weinig"
    assert Proportion(6, 12).percent_text() == "te weinig om te vergelijken"
    assert Proportion(10, 40).percent_text() == "25 % (95%-interval 14 tot 40 %)"
    assert rate_text(3, 1000) == "te weinig"
    assert rate_text(12, 4000) == "3,00"
    assert rate_text(0, 0) == "—"


def test_the_report_shows_the_figures_suppressed(data, dutch):
    report = outcome_report(data, YEAR)
    endings = report.rows[0]
    assert (endings.inside.numerator, endings.inside.denominator) == ("te weinig", "te weinig")
    days = report.rows[1]
    assert days.inside.denominator == "649"
    assert days.outside.denominator == "580"


def test_no_aim_is_said_from_a_count_too_small_to_show(data, dutch):
    crisis = outcome_report(data, YEAR).crisis
    # One crisis start this quarter (inside), one in the same days of 2024 (outside).
    assert crisis["rows"][2][1:] == ("te weinig", "te weinig")
    assert crisis["aim"] == "—"
    assert crisis["met"] is None
