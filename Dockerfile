# The production image: gunicorn serving the app (static files through WhiteNoise), the same image
# runs the Celery worker and beat. Build context: this folder (see .dockerignore).
FROM python:3.13-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN useradd --create-home --uid 1000 pleegzorg
WORKDIR /app

COPY pyproject.toml README.md requirements.lock ./
COPY config ./config
COPY pleegzorg ./pleegzorg
COPY placements ./placements
COPY constellations ./constellations
# The runtime packages at the versions of requirements.lock, the ones `make audit` checks.
RUN pip install . --constraint requirements.lock

COPY . .
# Translations and static files are built into the image; the dummy values only let settings load.
RUN pybabel -q compile -d locale -D django \
    && DJANGO_SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
       CELERY_BROKER_URL=redis://localhost DJANGO_STATIC_ROOT=/app/staticfiles \
       python manage.py collectstatic --noinput

ENV DJANGO_STATIC_ROOT=/app/staticfiles \
    PLEEGZORG_VAR_DIR=/tmp/pleegzorg
USER pleegzorg
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips", "*", "--access-logfile", "-"]
