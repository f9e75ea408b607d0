"""How a load-test run is judged and written down; no locust in here, so it is tested alone.

The rule of issue 12: a run fails when the 95th percentile of all its requests is over
``P95_LIMIT_MS``, or when any request (a login included) failed, or when it did not run the
whole measured time. The target of at least ``TARGET_RPS`` requests per second is reported
beside the figures, not enforced: on a shared machine the rate says as much about the other
processes as about the app.
"""

from __future__ import annotations

from dataclasses import dataclass

P95_LIMIT_MS = 300
TARGET_RPS = 200


@dataclass(frozen=True)
class Figures:
    """One page (method and name), or all of them: counts, rate and percentiles in ms."""

    method: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reasons: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def verdict(
    total: Figures,
    *,
    login_failures: int = 0,
    complete: bool = True,
    p95_limit: float = P95_LIMIT_MS,
) -> Verdict:
    reasons = []
    if not complete:
        reasons.append("the run stopped before the measured time was over")
    if total.requests == 0:
        reasons.append("no request was measured")
    if total.p95 > p95_limit:
        reasons.append(f"p95 {total.p95:.0f} ms is over {p95_limit:g} ms")
    if total.failures:
        reasons.append(f"{total.failures} requests failed")
    if login_failures:
        reasons.append(f"{login_failures} logins failed")
    return Verdict(not reasons, tuple(reasons))


def table(pages: list[Figures], total: Figures) -> str:
    """A Markdown table: one row per page, slowest p95 first, and the total last."""
    lines = [
        "| page | requests | failures | req/s | p50 | p95 | p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in [*sorted(pages, key=lambda row: (-row.p95, row.name)), total]:
        name = f"{row.method} {row.name}".strip()
        if row is total:
            name = f"**{name}**"
        lines.append(
            f"| {name} | {row.requests:,} | {row.failures:,} | {row.rps:.1f} "
            f"| {row.p50:.0f} ms | {row.p95:.0f} ms | {row.p99:.0f} ms |"
        )
    return "\n".join(lines)


def summary(
    pages: list[Figures],
    total: Figures,
    result: Verdict,
    *,
    about: list[tuple[str, str]],
    failures: list[tuple[str, str, int]],
    p95_limit: float = P95_LIMIT_MS,
) -> str:
    """The whole report as Markdown: what ran where (``about``), the table, why it failed, and
    the failures by page and message."""
    outcome = "**passed**" if result.passed else "**failed**: " + "; ".join(result.reasons)
    parts = [
        "\n".join(f"- {label}: {value}" for label, value in about),
        f"Result: {outcome}. All requests: {total.rps:.1f} req/s (target at least "
        f"{TARGET_RPS}), p50 {total.p50:.0f} ms, p95 {total.p95:.0f} ms (at most "
        f"{p95_limit:g}), p99 {total.p99:.0f} ms, {total.failures} failures.",
        table(pages, total),
    ]
    if failures:
        parts.append(
            "| failed request | why | times |\n|---|---|---:|\n"
            + "\n".join(f"| {name} | {why} | {count} |" for name, why, count in failures)
        )
    return "\n\n".join(parts) + "\n"
