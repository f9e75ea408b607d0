from django.urls import path

from pleegzorg.views import notifications, pages

app_name = "pleegzorg"

urlpatterns = [
    path("", pages.start, name="start"),
    path("inzagelog/", pages.access_log, name="access_log"),
    path("meldingen/", notifications.notification_list, name="notifications"),
    path(
        "meldingen/alles-gelezen/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("meldingen/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("meldingen/<int:pk>/gelezen/", notifications.notification_read, name="notification_read"),
]
