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


# -- Beheer in Dutch: every label, every page --------------------------------------------------

# Words that are the same in Dutch and English, so that a label equal to its English rendering
# is not a missed translation.
SAME_IN_DUTCH = {"bsn", "crisis", "moment", "postcode", "school", "status", "team", "teams"}
OUR_APPS = {"pleegzorg", "placements", "constellations"}


def _admin_request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/beheer/")
    request.user = user
    return request


def _labels(model, model_admin, request) -> dict[str, str]:
    """What Beheer shows as names: the model's, its columns and filters, its form and inlines."""
    from django.contrib.admin.utils import label_for_field

    labels = {
        "verbose_name": model._meta.verbose_name,
        "verbose_name_plural": model._meta.verbose_name_plural,
    }
    for name in model_admin.get_list_display(request):
        if name != "__str__":
            labels[f"column {name}"] = label_for_field(name, model, model_admin)
    for entry in model_admin.get_list_filter(request):
        if isinstance(entry, str):
            labels[f"filter {entry}"] = label_for_field(entry, model, model_admin)
        elif isinstance(entry, tuple):
            labels[f"filter {entry[0]}"] = label_for_field(entry[0], model, model_admin)
        else:
            labels[f"filter {entry.__name__}"] = entry.title
    form = model_admin.get_form(request)()
    for title, options in model_admin.get_fieldsets(request):
        if title:
            labels[f"fieldset {title}"] = title
        for name in options["fields"]:
            if isinstance(name, str) and name not in form.fields:  # read-only: shown as text
                labels[f"field {name}"] = label_for_field(name, model, model_admin)
    for name, field in form.fields.items():
        labels[f"form {name}"] = field.label or name
        if field.help_text:
            labels[f"help {name}"] = field.help_text
    for name, action in model_admin.get_actions(request).items():
        labels[f"action {name}"] = action.description
    for inline in model_admin.get_inline_instances(request):
        prefix = f"inline {type(inline).__name__}"
        labels[f"{prefix} title"] = inline.verbose_name_plural
        for name, field in inline.get_formset(request).form.base_fields.items():
            labels[f"{prefix} {name}"] = field.label or name
    return {
        key: str(label) % {"verbose_name_plural": model._meta.verbose_name_plural}
        if "%(" in str(label)
        else str(label)
        for key, label in labels.items()
    }


def _untranslated(model, model_admin, request) -> list[str]:
    from django.utils import translation

    with translation.override("en"):
        in_english = _labels(model, model_admin, request)
    with translation.override("nl"):
        in_dutch = _labels(model, model_admin, request)
    return [
        f"{model._meta.label} {key}: {label!r}"
        for key, label in in_dutch.items()
        if label == in_english.get(key) and label.lower() not in SAME_IN_DUTCH
    ]


def test_every_label_in_beheer_is_dutch(db):
    """Every model Beheer shows (django-axes' and Django's own too), as the demo's superuser."""
    from django.contrib import admin

    from pleegzorg.factories import UserFactory

    request = _admin_request(UserFactory(is_superuser=True, role="app_manager"))
    untranslated = [
        label
        for model, model_admin in admin.site._registry.items()
        for label in _untranslated(model, model_admin, request)
    ]
    assert untranslated == [], "\n".join(untranslated)


def test_the_label_check_catches_an_untranslated_column(app_manager):
    """Beheer once showed a column "Family" in the placements list: the check would see it."""
    from django.contrib import admin

    from placements.models import Placement

    field = Placement._meta.get_field("family")
    translated = field.verbose_name
    field.verbose_name = "family"
    try:
        untranslated = _untranslated(
            Placement, admin.site._registry[Placement], _admin_request(app_manager)
        )
    finally:
        field.verbose_name = translated
    assert "placements.Placement column family: 'family'" in untranslated


def one_record_of_each_model(app_manager) -> dict:
    """A record of every model Beheer shows, with rows in the inlines of its change page."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    from constellations.factories import (
        BedFactory,
        GatheringFactory,
        HubHomeFactory,
        MembershipFactory,
        RespiteStayFactory,
    )
    from constellations.models import ParentParticipation
    from placements.factories import (
        FosterParentFactory,
        OwnChildFactory,
        ParentChildFactory,
        PlacementFactory,
    )
    from placements.models import Decision, FosterFamilyStatusChange, VoiceNote
    from pleegzorg.audit import Action, Purpose, access_log_write
    from pleegzorg.factories import TeamFactory, UserFactory

    team = TeamFactory()
    UserFactory(team=team)
    placement = PlacementFactory(caseworker__team=team)
    family, child = placement.family, placement.child
    FosterParentFactory(family=family)
    OwnChildFactory(family=family)
    FosterFamilyStatusChange.objects.create(
        family=family, status=family.status, changed_on=timezone.localdate(), changed_by=app_manager
    )
    link = ParentChildFactory(child=child)
    Decision.objects.create(
        placement=placement,
        decided_on=timezone.localdate(),
        subject="Weekendbezoek bij moeder",
        decided_by="de jeugdbeschermer",
        reason="Het gaat goed.",
        recorded_by=app_manager,
    )
    voice_note = VoiceNote.objects.create(
        child=child,
        said_on=timezone.localdate(),
        text="Ik wil op voetbal.",
        recorded_by=app_manager,
    )
    bed = BedFactory(hub=HubHomeFactory(parents=[UserFactory(role="hub_home_parent")]))
    hub = bed.hub
    membership = MembershipFactory(constellation=hub.constellation, family=family)
    participation = ParentParticipation.objects.create(
        constellation=hub.constellation, parent=link.parent, since=timezone.localdate()
    )
    entry = access_log_write(
        user=app_manager, action=Action.VIEW, purpose=Purpose.ADMINISTRATION, person=child
    )
    attempt = {"ip_address": "127.0.0.1", "username": "werker", "user_agent": "Firefox"}
    return {
        obj._meta.model: obj
        for obj in (
            team.region,
            team,
            app_manager,
            entry,
            child,
            link.parent,
            family,
            placement.youth_protector,
            placement,
            voice_note,
            hub.constellation,
            hub,
            participation,
            GatheringFactory(constellation=hub.constellation),
            RespiteStayFactory(bed=bed, child=child, family=membership.family),
            AccessAttempt.objects.create(
                **attempt, http_accept="*/*", path_info="/inloggen/", failures_since_start=1
            ),
            AccessLog.objects.create(**attempt, http_accept="*/*", path_info="/inloggen/"),
            AccessFailureLog.objects.create(**attempt, http_accept="*/*", path_info="/inloggen/"),
        )
    }


def admin_pages(records: dict, user, apps=None) -> list[str]:
    """The index, and for every model the user may manage its list, its add page (where adding is
    done in Beheer) and the change page of its record in ``records``."""
    from django.contrib import admin
    from django.urls import reverse

    request = _admin_request(user)
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if (apps and model._meta.app_label not in apps) or not model_admin.has_module_permission(
            request
        ):
            continue
        pages.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{name}_add"))
        pages.append(reverse(f"{name}_change", args=[records[model].pk]))
    return pages


def test_an_application_manager_opens_every_page_of_beheer_in_dutch(app_manager, client):
    records = one_record_of_each_model(app_manager)
    client.force_login(app_manager)
    pages = admin_pages(records, app_manager)
    assert len(pages) == 1 + 3 * 15 - 1  # 15 models; nobody adds to the access log
    failed = [
        (page, response.status_code)
        for page in pages
        if (response := client.get(page, headers={"accept-language": "nl"})).status_code != 200
        or 'lang="nl"' not in response.text
    ]
    assert failed == []


def test_the_demo_superuser_opens_every_page_of_beheer(app_manager, client):
    """The demo's "beheer" is a superuser: it also sees the login lockouts (django-axes)."""
    app_manager.is_superuser = True
    app_manager.save()
    records = one_record_of_each_model(app_manager)
    client.force_login(app_manager)
    pages = admin_pages(records, app_manager, apps={"axes"})
    assert len(pages) == 1 + 3 * 2  # nobody adds a login attempt
    failed = [(page, code) for page in pages if (code := client.get(page).status_code) != 200]
    assert failed == []


def test_an_application_manager_does_not_see_the_superusers_models(app_manager, client):
    client.force_login(app_manager)
    assert client.get("/beheer/axes/accessattempt/").status_code == 403


def test_beheer_offers_no_groups_the_role_decides(app_manager, client):
    app_manager.is_superuser = True
    app_manager.save()
    client.force_login(app_manager)
    assert client.get("/beheer/auth/group/").status_code == 404


def test_an_application_manager_sees_the_rows_inside_a_record(app_manager, client):
    """The inlines follow the role, like the pages around them: no Django permissions needed."""
    records = one_record_of_each_model(app_manager)
    placement = next(obj for model, obj in records.items() if model._meta.model_name == "placement")
    client.force_login(app_manager)
    response = client.get(f"/beheer/placements/placement/{placement.pk}/change/")
    assert (
        "Geschiedenis pleegzorgwerkers" in response.text
        or "caseworker_assignments-0" in response.text
    )
    assert 'id="caseworker_assignments-0"' in response.text
