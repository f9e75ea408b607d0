"""Server-rendered charts (pygal): an SVG image without script, readable without colour.

A chart is shown as ``<img src="data:image/svg+xml;...">`` with a text alternative, and every page
puts the numbers beside it as a table; the SVG itself runs no script and loads nothing, so the
Content Security Policy stays as strict as it is. Series differ by dash pattern and marker as
well as by colour.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from django.utils.safestring import SafeString
from pygal.style import Style

# Dark enough on white (WCAG AA), and told apart by dashes and markers too.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4e89", "#b3541e", "#2f6f3e", "#6b3fa0"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
DASHES = ("", "6, 3", "2, 3", "10, 4, 2, 4")


@dataclass(frozen=True)
class Chart:
    src: str  # a data: URI
    alt: str


def line_chart(
    *, title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], alt: str
) -> Chart:
    """A line per series over ``labels`` (months); None leaves a gap."""
    return _line_chart(title, tuple(labels), _frozen(series), alt)


def _frozen(series: dict[str, Sequence[float | None]]) -> tuple:
    return tuple((str(name), tuple(values)) for name, values in series.items())


# A chart is a pure function of its title, labels, numbers and text: rendering one with pygal
# takes some 15 ms, so the images of the last few hundred are kept (per process; a chart of
# other numbers is another entry, so there is nothing to invalidate).
@functools.lru_cache(maxsize=512)
def _line_chart(title: str, labels: tuple, series: tuple, alt: str) -> Chart:
    chart = pygal.Line(
        js=[],
        style=STYLE,
        width=720,
        height=320,
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        x_label_rotation=-45 if len(labels) > 12 else 0,
        show_minor_x_labels=False,
        x_labels_major_every=3 if len(labels) > 12 else 1,
        allow_interruptions=True,
        dots_size=3,
        title=title,
    )
    chart.x_labels = list(labels)
    for i, (name, values) in enumerate(series):
        chart.add(name, list(values), stroke_style={"dasharray": DASHES[i % len(DASHES)]})
    return _as_image(chart, alt)


def bar_chart(
    *, title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], alt: str
) -> Chart:
    """Stacked bars per label (e.g. planned and unplanned nights per month)."""
    return _bar_chart(title, tuple(labels), _frozen(series), alt)


@functools.lru_cache(maxsize=512)
def _bar_chart(title: str, labels: tuple, series: tuple, alt: str) -> Chart:
    chart = pygal.StackedBar(
        js=[],
        style=STYLE,
        width=720,
        height=320,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        x_label_rotation=-45 if len(labels) > 12 else 0,
        title=title,
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _as_image(chart, alt)


def _as_image(chart, alt: str) -> Chart:
    # pygal always writes a small configuration script for its (here unused) tooltips; an image
    # never runs it, and without it the SVG is plainly static.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    # Safe as it is: base64 has no character HTML escapes, and a page's tens of kilobytes of it
    # were scanned for them on every render (some 60 us a chart).
    src = SafeString(f"data:image/svg+xml;base64,{encoded}")  # nosec B703
    return Chart(src=src, alt=alt)
