"""factory-boy factories for the core models, for the tests only (seed_demo has its own code).

All data is synthetic (Faker nl_NL).
"""

import factory
from factory.django import DjangoModelFactory

from pleegzorg.models import Region, Team, User

factory.Faker._DEFAULT_LOCALE = "nl_NL"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Regio {n + 1}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    username = factory.Sequence(lambda n: f"gebruiker{n + 1}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@pleegzorg.example")
    role = User.Role.CASEWORKER
    password = factory.django.Password("pleegzorg-demo")

    class Params:
        team_lead = factory.Trait(role=User.Role.TEAM_LEAD)
        hub_home_parent = factory.Trait(role=User.Role.HUB_HOME_PARENT)
        liaison = factory.Trait(role=User.Role.LIAISON)
        app_manager = factory.Trait(role=User.Role.APP_MANAGER)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n + 1}")
    region = factory.SubFactory(RegionFactory)
    lead = factory.SubFactory(UserFactory, team_lead=True)
