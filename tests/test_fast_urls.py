"""pleegzorg.templatetags.fast_urls: {% url %} answers as Django's reverse, for every URL."""

import pytest
from django.template import Context, Engine, Template, engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.base import set_script_prefix

from pleegzorg.templatetags.fast_urls import FastURLNode, url_of


def _named_routes(resolver=None, namespace=""):
    """(name, number of arguments) of every named URL of the project."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.regex.groups


ROUTES = sorted(set(_named_routes()))


def test_every_url_of_ids_or_of_none_is_written_as_reverse_writes_it():
    with_ids = [(name, count) for name, count in ROUTES if count]
    assert len(with_ids) > 40, "the walk over the URLs found too few: has it broken?"
    assert len(ROUTES) - len(with_ids) > 20
    for name, count in ROUTES:
        for ids in ([1] * count, [7, 12, 99][:count], [123456789] * count):
            try:
                expected = reverse(name, args=ids)
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    url_of(name, ids, {}, None)
            else:
                assert url_of(name, ids, {}, None) == expected, name


def test_anything_but_positive_ids_goes_to_reverse():
    assert url_of("placements:child", [], {"pk": 4}, None) == reverse("placements:child", args=[4])
    assert url_of("placements:child", ["4"], {}, None) == "/kinderen/4/"
    for other in ([0], [-3], [True], [None], [2.0]):
        try:
            expected = reverse("placements:child", args=other)
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                url_of("placements:child", other, {}, None)
        else:
            assert url_of("placements:child", other, {}, None) == expected
    with pytest.raises(NoReverseMatch):
        url_of("placements:no_such_page", [4], {}, None)


def test_the_tag_takes_the_place_of_djangos_in_every_template():
    engine = engines["django"].engine
    template = engine.from_string("{% url 'placements:child' pk %}")
    assert isinstance(template.nodelist[0], FastURLNode)
    assert template.render(Context({"pk": 31})) == "/kinderen/31/"
    assert (
        Template("{% url 'placements:child' 8 as link %}[{{ link }}]", engine=engine).render(
            Context()
        )
        == "[/kinderen/8/]"
    )
    assert engine.from_string("{% url 'nope' 8 as link %}[{{ link }}]").render(Context()) == "[]"
    with pytest.raises(NoReverseMatch):
        engine.from_string("{% url 'nope' 8 %}").render(Context())
    assert Engine(builtins=[]).from_string("{% url 'placements:child' 3 %}").render(Context())


def test_the_script_prefix_is_part_of_the_pattern():
    try:
        set_script_prefix("/pleegzorg/")
        assert url_of("placements:child", [5], {}, None) == "/pleegzorg/kinderen/5/"
    finally:
        set_script_prefix("/")
    assert url_of("placements:child", [5], {}, None) == "/kinderen/5/"
