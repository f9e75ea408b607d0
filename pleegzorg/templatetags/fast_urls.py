"""``{% url %}`` as Django's, except that a URL of whole-number ids (or of none, such as the
header's links on every page) is written from a pattern worked out once per view name: Django's
``reverse`` tries the view's patterns and matches its answer against them on every call (about
25 microseconds), and a list page of 30 rows with three links each spent a few milliseconds
there. A built-in of the template engine (settings: ``TEMPLATES``), so it takes the place of
Django's tag in every template.

The pattern is what ``reverse`` answers for stand-in ids, split where they appear: the URL of
any other positive ids is the same text with those ids in their place, which holds for the
``int`` converter (and ``str``, ``slug``, ``path``: they write an id as its digits). Where that
cannot be shown (a converter that writes or accepts an id otherwise, a stand-in missing or
twice in the answer, keyword arguments, anything but positive ints), Django's ``reverse``
answers, as it would."""

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

STAND_IN = 7_919_000_001  # a stand-in id, the next one a higher: digits no real URL holds
_patterns: dict[tuple, tuple[str, ...] | None] = {}


def pattern(view_name: str, count: int, current_app: str | None) -> tuple[str, ...] | None:
    """The text around ``count`` ids in the URL of ``view_name``; None: use ``reverse``."""
    key = (view_name, count, current_app, get_script_prefix(), get_urlconf())
    if key not in _patterns:
        stand_ins = [STAND_IN + i for i in range(count)]
        try:
            sample = reverse(view_name, args=stand_ins, current_app=current_app)
        except NoReverseMatch:
            _patterns[key] = None
        else:
            _patterns[key] = _split(sample, [str(id) for id in stand_ins])
    return _patterns[key]


def _split(sample: str, stand_ins: list[str]) -> tuple[str, ...] | None:
    parts, rest = [], sample
    for stand_in in stand_ins:
        if sample.count(stand_in) != 1 or stand_in not in rest:
            return None
        before, _, rest = rest.partition(stand_in)
        parts.append(before)
    return (*parts, rest)


def url_of(view_name: str, args: list, kwargs: dict, current_app: str | None) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``."""
    if not kwargs and all(type(arg) is int and arg > 0 for arg in args):
        parts = pattern(view_name, len(args), current_app)
        if parts is not None:
            written = [parts[0]]
            for arg, after in zip(args, parts[1:], strict=True):
                written += (str(arg), after)
            return "".join(written)
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


class FastURLNode(URLNode):
    def render(self, context):
        # As URLNode.render, with url_of() for reverse().
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = url_of(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same syntax, same answer), faster for ids."""
    node = django_url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)
