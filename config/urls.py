from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from pleegzorg.views.health import healthz

admin.site.site_header = _("Pleegzorg — application management")
admin.site.site_title = _("Pleegzorg administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("taal/", set_language, name="set_language"),
    path("beheer/", admin.site.urls),
    path("", include("pleegzorg.urls_auth")),
    path("", include("pleegzorg.urls_mfa")),
    path("passkeys/", include("pleegzorg.urls_passkeys")),
    path("", include("pleegzorg.urls")),
    path("", include("placements.urls")),
    path("", include("constellations.urls")),
]
