"""Dates as Dutch readers expect them: month abbreviations in lowercase ("30 nov to 6 dec",
"jan 2026"), which Django's "M" writes capitalised ("Nov") in every language."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def short_date(value, arg: str = "j M Y"):
    """Like ``|date:arg``, with "M" as the lowercase abbreviation ("b") in Dutch."""
    if (translation.get_language() or "").startswith("nl"):
        arg = arg.replace("M", "b")
    return date_filter(value, arg)
