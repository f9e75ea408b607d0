"""Dutch month abbreviations are lowercase, as Dutch is written ("30 nov to 6 dec", "jan 2026")."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation


def render(language: str, pattern: str) -> str:
    template = Template('{% load dates %}{{ day|short_date:"' + pattern + '" }}')
    with translation.override(language):
        return template.render(Context({"day": dt.date(2026, 11, 30)}))


def test_month_abbreviations_are_lowercase_in_dutch_and_capitalised_in_english():
    assert render("nl", "j M") == "30 nov"
    assert render("nl", "D j M Y") == "ma 30 nov 2026"
    assert render("nl", "M Y") == "nov 2026"
    assert render("en", "j M") == "30 Nov"
