from django.urls import path

from placements.dashboard import views as dashboard
from placements.invitations import views as invitations
from placements.meetings import views as meetings
from placements.my_family import views as my_family
from placements.retention import views as retention
from placements.views import access_request, caseload, child, family, placement, start

app_name = "placements"

urlpatterns = [
    path("caseload/", caseload.caseload, name="caseload"),
    path("dashboard/", dashboard.team_dashboard, name="team_dashboard"),
    path("overleggen/", meetings.my_meetings, name="my_meetings"),
    path("overleggen/<int:pk>/", meetings.meeting_hold, name="meeting_hold"),
    path("overleggen/<int:pk>/wijzigen/", meetings.meeting_change, name="meeting_change"),
    path("overleggen/<int:pk>/agenda/", meetings.meeting_agenda, name="meeting_agenda"),
    path("plaatsingen/<int:pk>/overleg/nieuw/", meetings.meeting_plan, name="meeting_plan"),
    path(
        "plaatsingen/<int:pk>/overleg/aanvragen/", meetings.meeting_request, name="meeting_request"
    ),
    path("plaatsingen/<int:pk>/overlegritme/", meetings.meeting_cadence, name="meeting_cadence"),
    path("plaatsingen/<int:pk>/gesprek-met-kind/", meetings.child_contact, name="child_contact"),
    path("bewaartermijn/", retention.retention_review, name="retention_review"),
    path("bewaartermijn/<int:pk>/", retention.retention_file, name="retention_file"),
    path("kinderen/<int:pk>/", child.child_file, name="child"),
    path("pleeggezinnen/<int:pk>/", family.family_detail, name="family"),
    # Foster parents' own accounts (placements.invitations): invited from the family page.
    path(
        "pleeggezinnen/<int:pk>/pleegouders/<int:parent>/uitnodigen/",
        invitations.invite,
        name="foster_parent_invite",
    ),
    path(
        "pleeggezinnen/<int:pk>/pleegouders/<int:parent>/toegang-intrekken/",
        invitations.revoke,
        name="foster_parent_revoke",
    ),
    path("uitnodiging/<str:token>/", invitations.accept, name="invitation_accept"),
    # Mijn pleeggezin (placements.my_family): the foster parents' own pages.
    path("mijn-pleeggezin/", my_family.my_family, name="my_family"),
    path(
        "mijn-pleeggezin/overleggen/<int:pk>/agenda/",
        my_family.meeting_calendar,
        name="my_family_meeting_calendar",
    ),
    path(
        "mijn-pleeggezin/plaatsingen/<int:pk>/overleg-aanvragen/",
        my_family.meeting_request,
        name="my_family_meeting_request",
    ),
    path(
        "mijn-pleeggezin/afspraken/<int:pk>/gedaan/",
        my_family.agreement_done,
        name="my_family_agreement_done",
    ),
    path("pleeggezinnen/<int:pk>/wijzigen/", family.family_edit, name="family_edit"),
    path("plaatsingen/nieuw/", start.placement_new, name="placement_new"),
    path("plaatsingen/<int:pk>/beeindigen/", placement.placement_end, name="placement_end"),
    path("plaatsingen/<int:pk>/beeindiging/", placement.placement_ending, name="placement_ending"),
    path(
        "plaatsingen/<int:pk>/overdragen/",
        placement.placement_hand_over,
        name="placement_hand_over",
    ),
    path(
        "plaatsingen/<int:pk>/jeugdbeschermer/",
        placement.youth_protector_change,
        name="youth_protector_change",
    ),
    path("kinderen/<int:pk>/inzage/", child.child_access_log, name="child_access_log"),
    path(
        "kinderen/<int:pk>/inzageverzoek/",
        access_request.access_request,
        name="access_request",
    ),
    path(
        "kinderen/<int:pk>/inzageverzoek/<slug:key>/",
        access_request.access_export,
        name="access_export",
    ),
    path(
        "kinderen/<int:pk>/inzageverzoek/<slug:key>/json/",
        access_request.access_export_json,
        name="access_export_json",
    ),
    path("kinderen/<int:pk>/besluiten/nieuw/", child.decision_new, name="decision_new"),
    path("kinderen/<int:pk>/stem/nieuw/", child.voice_note_new, name="voice_note_new"),
    path("kinderen/<int:pk>/ouders/nieuw/", child.parent_edit, name="parent_new"),
    path("kinderen/<int:pk>/ouders/<int:link_pk>/", child.parent_edit, name="parent_edit"),
    path("kinderen/<int:pk>/<slug:section>/", child.child_section, name="child_section"),
    path(
        "kinderen/<int:pk>/<slug:section>/wijzigen/",
        child.child_section_edit,
        name="child_section_edit",
    ),
]
