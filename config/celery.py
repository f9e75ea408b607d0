"""The Celery app: settings from Django (CELERY_ prefix), tasks found in every installed app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("pleegzorg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
