import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()

# What a web process has loaded by now (Django, the apps, their modules and settings) lives as long
# as the process, so the cyclic garbage collector need not walk it again and again: freeze it, and
# collect the youngest generation after 50,000 new objects instead of 700 (a page makes tens of
# thousands, almost all freed by reference counting). Measured over every bench page: the
# collector's time 5.5 % -> 1 % of the CPU, the CPU per request about 10 % less.
gc.freeze()
gc.set_threshold(50_000, 50, 100)
