"""factory-boy factories for constellations, hub homes and respite stays. Synthetic only."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from constellations.models import Bed, Constellation, Gathering, HubHome, Membership, RespiteStay
from placements.factories import ChildFactory, FosterFamilyFactory
from placements.models import FosterFamily, Placement
from pleegzorg.factories import RegionFactory

factory.Faker._DEFAULT_LOCALE = "nl_NL"


def _days_ago(days: int):
    return lambda: timezone.localdate() - dt.timedelta(days=days)


class ConstellationFactory(DjangoModelFactory):
    class Meta:
        model = Constellation

    name = factory.Sequence(lambda n: f"Constellatie {n + 1}")
    region = factory.SubFactory(RegionFactory)
    liaison = None
    status = Constellation.Status.ACTIVE
    start_date = factory.LazyFunction(_days_ago(365))


class HubHomeFactory(DjangoModelFactory):
    """A hub home; pass ``parents=[user, ...]`` for its hub-home parents."""

    class Meta:
        model = HubHome
        skip_postgeneration_save = True

    constellation = factory.SubFactory(ConstellationFactory)
    family = factory.SubFactory(FosterFamilyFactory, status=FosterFamily.Status.ACTIVE)

    @factory.post_generation
    def parents(self, create, extracted, **kwargs):
        if create and extracted:
            self.parents.add(*extracted)


class BedFactory(DjangoModelFactory):
    class Meta:
        model = Bed

    hub = factory.SubFactory(HubHomeFactory)
    name = factory.Sequence(lambda n: f"Bed {n + 1}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    constellation = factory.SubFactory(ConstellationFactory)
    family = factory.SubFactory(FosterFamilyFactory)
    joined_on = factory.LazyFunction(_days_ago(180))


class GatheringFactory(DjangoModelFactory):
    class Meta:
        model = Gathering

    constellation = factory.SubFactory(ConstellationFactory)
    kind = Gathering.Kind.MONTHLY
    date = factory.LazyFunction(timezone.localdate)
    place = factory.LazyAttribute(lambda g: f"Huiskamer {g.constellation.name}")


def _family_of(stay) -> FosterFamily:
    """The family the child is placed with on arrival, else a new one."""
    placement = Placement.objects.active(stay.arrival).filter(child=stay.child).first()
    return placement.family if placement else FosterFamilyFactory()


class RespiteStayFactory(DjangoModelFactory):
    """A confirmed stay of two nights next week. The constellation follows from the bed, the
    family from the child's placement on arrival (pass ``family`` to choose it)."""

    class Meta:
        model = RespiteStay

    bed = factory.SubFactory(BedFactory)
    constellation = factory.LazyAttribute(lambda s: s.bed.hub.constellation)
    child = factory.SubFactory(ChildFactory)
    arrival = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    departure = factory.LazyAttribute(lambda s: s.arrival + dt.timedelta(days=2))
    family = factory.LazyAttribute(_family_of)
    planned = True
    reason = RespiteStay.Reason.FUN
    status = RespiteStay.Status.CONFIRMED
