"""factory-boy factories for the case file, for the tests only (seed_demo has its own code).

Synthetic only.
"""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from placements.models import (
    CareKind,
    CaseworkerAssignment,
    Child,
    FosterFamily,
    FosterParent,
    OwnChild,
    Parent,
    ParentChild,
    Placement,
    YouthProtector,
)
from pleegzorg.factories import UserFactory

factory.Faker._DEFAULT_LOCALE = "nl_NL"


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=17)
    gender = factory.Iterator([Child.Gender.GIRL, Child.Gender.BOY])
    school = factory.LazyAttribute(lambda c: f"Basisschool De {c.last_name}")
    allergies = factory.Iterator(["", "", "pinda's", "lactose", ""])
    medication = factory.Iterator(["", "", "", "methylfenidaat 10 mg 's ochtends"])
    diet = factory.Iterator(["", "halal", "", "vegetarisch", ""])
    emergency_contacts = factory.Faker("phone_number")


class ParentFactory(DjangoModelFactory):
    class Meta:
        model = Parent

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Faker("phone_number")


class ParentChildFactory(DjangoModelFactory):
    class Meta:
        model = ParentChild

    parent = factory.SubFactory(ParentFactory)
    child = factory.SubFactory(ChildFactory)
    relation = ParentChild.Relation.MOTHER
    has_custody = True


class FosterFamilyFactory(DjangoModelFactory):
    class Meta:
        model = FosterFamily

    class Params:
        surname = factory.Faker("last_name")

    name = factory.LazyAttribute(lambda f: f"Familie {f.surname}")
    street = factory.Faker("street_address")
    postcode = factory.Sequence(lambda n: f"{1000 + n % 8999} AB")
    city = factory.Faker("city")
    municipality = factory.LazyAttribute(lambda f: f.city)
    places = 2
    status = FosterFamily.Status.ACTIVE
    offers_full_time = True
    offers_part_time = True
    offers_crisis = False
    offers_respite = True


class FosterParentFactory(DjangoModelFactory):
    class Meta:
        model = FosterParent

    family = factory.SubFactory(FosterFamilyFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Faker("phone_number")
    email = factory.Faker("email")


class OwnChildFactory(DjangoModelFactory):
    class Meta:
        model = OwnChild

    family = factory.SubFactory(FosterFamilyFactory)
    first_name = factory.Faker("first_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=2, maximum_age=20)


class YouthProtectorFactory(DjangoModelFactory):
    class Meta:
        model = YouthProtector

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    institution = factory.Iterator(
        ["Samen Veilig Midden-Nederland", "William Schrikker Stichting", "Jeugdbescherming west"]
    )


class PlacementFactory(DjangoModelFactory):
    """A running full-time placement; creates its caseworker assignment too."""

    class Meta:
        model = Placement
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    family = factory.SubFactory(FosterFamilyFactory)
    kind = CareKind.FULL_TIME
    legal_basis = Placement.LegalBasis.OTS
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=200))
    caseworker = factory.SubFactory(UserFactory)
    # The team it belongs to: its caseworker's, as placements.services.placement_start sets it.
    team = factory.LazyAttribute(lambda placement: placement.caseworker.team)
    youth_protector = factory.SubFactory(YouthProtectorFactory)

    @factory.post_generation
    def assignment(self, create, extracted, **kwargs):
        if create:
            CaseworkerAssignment.objects.create(
                placement=self, caseworker=self.caseworker, start_date=self.start_date
            )
