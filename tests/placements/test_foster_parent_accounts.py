"""Foster parents' accounts (issue 13): an account of the role foster parent, linked to the
foster parent's record."""

import pytest
from django.core.exceptions import ValidationError

from placements.factories import FosterParentFactory
from pleegzorg.factories import UserFactory
from pleegzorg.models import User


def test_only_an_account_of_the_role_foster_parent_belongs_to_a_foster_parent(db, dutch):
    record = FosterParentFactory(account=UserFactory(role=User.Role.CASEWORKER))
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert refused.value.message_dict["account"] == [
        "Alleen een account met de rol pleegouder hoort bij een pleegouder."
    ]
    record.account = UserFactory(role=User.Role.FOSTER_PARENT)
    record.full_clean()


def test_the_foster_parent_persona_is_linked_to_their_record(foster_parent):
    assert foster_parent.is_foster_parent
    assert foster_parent.foster_parent_record.family.name == "Familie Pleeg"
    assert not (foster_parent.is_caseworker or foster_parent.is_team_lead)


def test_deleting_the_account_keeps_the_record(foster_parent):
    record = foster_parent.foster_parent_record
    foster_parent.delete()
    record.refresh_from_db()
    assert record.account is None
