"""What the form widget templates of templates/django/forms/ need to stay short and fast."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

register = template.Library()


@register.filter
def attrs(attrs: dict) -> str:
    """A widget's attributes as Django's ``attrs.html`` writes them, in their order (`
    name="value"`, a True one as ` name`, a False one left out), without an include."""
    written = []
    for name, value in attrs.items():
        if value is True:
            written.append(format_html(" {}", name))
        elif value is not False:
            text = value if isinstance(value, SafeData) else str(value)
            written.append(format_html(' {}="{}"', name, text))
    return mark_safe("".join(written))  # noqa: S308  # nosec B308 B703 — each part format_html'd
