from django.urls import path

from constellations import views
from constellations.fidelity import views as fidelity
from constellations.outcomes import views as outcomes

app_name = "constellations"

urlpatterns = [
    path("constellaties/", views.constellation_list, name="list"),
    path("constellaties/<int:pk>/", views.constellation_detail, name="detail"),
    path("constellaties/<int:pk>/kalender/", views.calendar, name="calendar"),
    path("constellaties/<int:pk>/logeren/nieuw/", views.stay_new, name="stay_new"),
    path(
        "constellaties/<int:pk>/logeren/beschikbaar/",
        views.stay_availability,
        name="stay_availability",
    ),
    path("constellaties/<int:pk>/leden/nieuw/", views.member_add, name="member_add"),
    path(
        "constellaties/<int:pk>/leden/<int:membership_pk>/vertrek/",
        views.member_leave,
        name="member_leave",
    ),
    path("constellaties/<int:pk>/ouders/nieuw/", views.parent_add, name="parent_add"),
    path("constellaties/<int:pk>/bijeenkomsten/nieuw/", views.gathering_new, name="gathering_new"),
    path("constellaties/<int:pk>/contacten/nieuw/", views.contact_new, name="contact_new"),
    path("constellaties/<int:pk>/kinderen/<int:child_pk>/", views.care_facts, name="care_facts"),
    path("logeren/<int:pk>/", views.stay_detail, name="stay"),
    # Fidelity to the model (constellations/fidelity/)
    path("constellaties/modeltrouw/", fidelity.fidelity_list, name="fidelity_list"),
    path(
        "constellaties/modeltrouw/export/",
        fidelity.fidelity_list_export,
        name="fidelity_list_export",
    ),
    path("constellaties/<int:pk>/modeltrouw/", fidelity.fidelity_detail, name="fidelity"),
    path(
        "constellaties/<int:pk>/modeltrouw/export/",
        fidelity.fidelity_export,
        name="fidelity_export",
    ),
    # -- the outcome monitor (Uitkomsten) --
    path("uitkomsten/", outcomes.monitor, name="outcomes"),
    path("uitkomsten/export/<slug:table>.csv", outcomes.export, name="outcomes_export"),
]
