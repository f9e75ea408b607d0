import pytest

from placements.factories import (
    ChildFactory,
    FosterFamilyFactory,
    PlacementFactory,
    YouthProtectorFactory,
)


@pytest.fixture
def family(db):
    return FosterFamilyFactory(name="Familie De Boer", places=2)


@pytest.fixture
def child(db):
    return ChildFactory(first_name="Sanne", last_name="Visser")


@pytest.fixture
def youth_protector(db):
    return YouthProtectorFactory()


@pytest.fixture
def placement(caseworker, child, family):
    """Sanne, full-time with Familie De Boer, in werker's caseload."""
    return PlacementFactory(child=child, family=family, caseworker=caseworker)


@pytest.fixture
def other_placement(other_caseworker):
    """A placement in another team's caseload."""
    return PlacementFactory(caseworker=other_caseworker, child__first_name="Daan")
