from django.urls import path

from pleegzorg.views import break_glass, notifications, pages

app_name = "pleegzorg"

urlpatterns = [
    path("", pages.start, name="start"),
    path("inzagelog/", pages.access_log, name="access_log"),
    path("toegang/<slug:kind>/<int:pk>/", break_glass.break_glass, name="break_glass"),
    path("geopend-met-reden/", break_glass.break_glass_review, name="break_glass_review"),
    path(
        "geopend-met-reden/<int:pk>/beoordeeld/",
        break_glass.break_glass_reviewed,
        name="break_glass_reviewed",
    ),
    path("meldingen/", notifications.notification_list, name="notifications"),
    path(
        "meldingen/alles-gelezen/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("meldingen/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("meldingen/<int:pk>/gelezen/", notifications.notification_read, name="notification_read"),
]
