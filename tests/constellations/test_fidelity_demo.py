"""The demo shows fidelity worth looking at: some constellation falls short of the model."""

from django.utils import timezone

from constellations.fidelity import selectors
from constellations.models import Constellation
from constellations.permissions import constellations
from pleegzorg.models import User


def test_the_demo_has_constellations_that_fall_short_in_each_way(seeded):
    today = timezone.localdate()
    months = selectors.month_list(selectors.add_months(today.replace(day=1), -11), today, today)
    items = selectors.fidelity(list(Constellation.objects.open()), months)
    words = {item.constellation.name: item.shortfalls for item in items}
    assert any(any("geen bijeenkomst" in w for w in ws) for ws in words.values())
    assert any(any("onder de 6" in w for w in ws) for ws in words.values())
    assert any(any("Geen logeerpartijen" in w for w in ws) for ws in words.values())
    liaison = User.objects.get(username="begeleider")
    (own,) = selectors.fidelity(list(constellations.visible_to(liaison)), months)
    assert sum(m.nights for m in own.months) > 0 and own.last_gathering is not None
