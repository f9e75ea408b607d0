from django.urls import path

from placements.dashboard import views as dashboard
from placements.meetings import views as meetings
from placements.retention import views as retention
from placements.views import caseload, child, family, placement, start

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
    path("pleeggezinnen/<int:pk>/wijzigen/", family.family_edit, name="family_edit"),
    path("plaatsingen/nieuw/", start.placement_new, name="placement_new"),
    path("plaatsingen/<int:pk>/beeindigen/", placement.placement_end, name="placement_end"),
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
