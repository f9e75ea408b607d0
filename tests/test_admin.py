"""Beheer (Django admin) for application managers."""

from pleegzorg.models import AccessLogEntry, User


def test_an_application_manager_adds_a_caseworker_to_a_team(app_manager, team, client):
    client.force_login(app_manager)
    response = client.post(
        "/beheer/pleegzorg/user/add/",
        {
            "username": "nieuw",
            "first_name": "Noor",
            "last_name": "Nieuw",
            "email": "noor@pleegzorg.example",
            "role": User.Role.CASEWORKER,
            "team": team.pk,
            "password1": "een-lang-genoeg-wachtwoord",
            "password2": "een-lang-genoeg-wachtwoord",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="nieuw")
    assert user.team == team and not user.is_staff


def test_accounts_cannot_be_deleted_only_deactivated(app_manager, caseworker, client):
    client.force_login(app_manager)
    assert client.get(f"/beheer/pleegzorg/user/{caseworker.pk}/delete/").status_code == 403


def test_the_role_decides_who_may_use_admin(caseworker, app_manager):
    assert app_manager.is_staff
    caseworker.role = User.Role.APP_MANAGER
    caseworker.team = None
    caseworker.save()
    assert caseworker.is_staff
    caseworker.role = User.Role.LIAISON
    caseworker.save(update_fields=["role"])
    caseworker.refresh_from_db()
    assert not caseworker.is_staff


def test_reading_the_access_log_in_admin_is_logged(app_manager, client):
    client.force_login(app_manager)
    assert client.get("/beheer/pleegzorg/accesslogentry/").status_code == 200
    assert AccessLogEntry.objects.filter(user=app_manager, purpose="audit").count() == 1


def test_a_team_lead_must_have_the_team_lead_role(team, caseworker):
    import pytest
    from django.core.exceptions import ValidationError

    team.lead = caseworker
    with pytest.raises(ValidationError, match="teamleider"):
        team.full_clean()
