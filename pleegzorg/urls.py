from django.urls import path

from pleegzorg.views import pages

app_name = "pleegzorg"

urlpatterns = [
    path("", pages.start, name="start"),
    path("inzagelog/", pages.access_log, name="access_log"),
]
