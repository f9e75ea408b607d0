"""Honest figures: proportions with a 95 % Wilson interval, small counts suppressed.

Official statistics do not publish counts under 5 (a child could be recognised), and a
comparison of groups with fewer than 20 in the denominator says nothing. Every dashboard shows
its figures through :class:`Proportion` and :func:`count_text`, so the rules hold everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SMALLEST_COUNT = 5  # counts below this are shown as "te weinig"
SMALLEST_DENOMINATOR = 20  # groups below this are not compared
Z_95 = 1.959963984540054


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of successes / total, as fractions; None for total 0."""
    if total <= 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def is_too_small(count: int | None) -> bool:
    return count is not None and 0 < count < SMALLEST_COUNT


def count_text(count: int | None) -> str:
    """A count as shown: "te weinig" for 1 to 4 (0 is a fact, not a person to protect)."""
    if count is None:
        return "—"
    return _("too few") if is_too_small(count) else number_format(count, force_grouping=True)


@dataclass(frozen=True)
class Proportion:
    """numerator / denominator with its interval, and what may be shown of it."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.numerator, self.denominator)

    @property
    def comparable(self) -> bool:
        return self.denominator >= SMALLEST_DENOMINATOR

    @property
    def suppressed(self) -> bool:
        return is_too_small(self.numerator) or is_too_small(self.denominator)

    def percent_text(self) -> str:
        """'23 % (95 %-interval 15 tot 33 %)', "te weinig", or "te weinig om te vergelijken"."""
        if self.denominator == 0:
            return "—"
        if self.suppressed:
            return _("too few")
        if not self.comparable:
            return _("too few to compare")
        low, high = self.interval
        return _("%(value)s %% (95 %% interval %(low)s to %(high)s %%)") % {
            "value": _percent(self.value),
            "low": _percent(low),
            "high": _percent(high),
        }


def rate_per_1000(events: int, days: int) -> float | None:
    """Events per 1,000 care-days (the federal placement-stability measure's unit)."""
    return events * 1000 / days if days else None


def _percent(fraction: float) -> str:
    return number_format(round(fraction * 100), force_grouping=True)
