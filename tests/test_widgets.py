"""templates/django/forms/widgets/select.html: Django's select, faster, with the same markup."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.utils.translation import gettext_lazy

CHOICES = [
    ("", "All"),
    ("a", "Alpha & <b>"),
    (3, gettext_lazy("Search")),
    ("Group", [("g1", "One"), ("g2", 'Two "quoted"')]),
]


class Widgets(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    off = forms.ChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.Select(attrs={"disabled": True, "hidden": False, "data-x": '1 "2"'}),
    )
    typed = forms.TypedChoiceField(choices=[(1, "yes"), (2, "no")], coerce=int)


@pytest.mark.parametrize(
    "data", [{}, {"one": "a", "many": ["g1", "3"], "off": "g2", "typed": "2"}, {"one": "zz"}]
)
def test_the_select_renders_as_djangos_own(settings, data):
    assert settings.FORM_RENDERER == "django.forms.renderers.TemplatesSetting"
    for name in Widgets.base_fields:
        ours = Widgets(data, renderer=TemplatesSetting())[name]
        django = Widgets(data, renderer=DjangoTemplates())[name]
        assert "{% include" not in ours.field.widget.template_name
        assert str(ours) == str(django)
    assert "<optgroup" in str(Widgets(data)["one"])
