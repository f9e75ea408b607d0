from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConstellationsConfig(AppConfig):
    name = "constellations"
    verbose_name = _("Constellations")
