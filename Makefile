# Two commands for a newcomer: `make demo` and `make test`. Both find a Python >= 3.12 themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
DEMO_ENV := DJANGO_SETTINGS_MODULE=config.settings.local

.DEFAULT_GOAL := help
.PHONY: help venv translations demo test bench bench-growth bench-quick load lint format messages lock audit clean

help:
	@echo "make demo   set everything up and run the app with demo data at http://127.0.0.1:8000"
	@echo "make test   set everything up and run the whole test suite"
	@echo "make bench  time every main page at sector scale (PostgreSQL) into docs/benchmarks.md"
	@echo "make bench-growth  every page's queries at small, sector and 10x sector scale (PostgreSQL)"
	@echo "make bench-quick  every page within 15 queries, not growing with the data (in make test)"
	@echo "make load   50 users (locust) against gunicorn at sector scale for 60 s into docs/load.md"
	@echo "make lint / make format / make messages (update .po files; needs GNU gettext)"
	@echo "make lock   rewrite requirements.lock from the venv; make audit: pip-audit it (needs network)"

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock scripts/make-venv
	@scripts/make-venv $(VENV)
	@touch $@

translations: venv
	@$(VENV)/bin/pybabel -q compile --statistics -d locale -D django

demo: translations
	@mkdir -p var
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	@# Seed once; later runs keep what you changed in the demo and only print the accounts.
	@if [ ! -f var/.seeded ]; then $(DEMO_ENV) $(MANAGE) seed_demo --scale small && touch var/.seeded; \
	else $(DEMO_ENV) $(MANAGE) seed_demo --show-accounts; fi
	@echo "==> starting web, worker and beat: open http://127.0.0.1:8000 (Ctrl-C stops all)"
	@$(DEMO_ENV) $(VENV)/bin/honcho -f Procfile.demo start

test: translations
	@scripts/test $(ARGS)

bench: translations
	@scripts/bench

bench-growth: translations
	@scripts/bench-growth

bench-quick: translations
	@scripts/test tests/test_bench_quick.py

load: translations
	@scripts/load

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: venv
	$(MANAGE) makemessages -l nl --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*'
	$(MANAGE) makemessages -d djangojs -l nl --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*'

# Pin what the venv runs (after changing a dependency), and look the pins up in a vulnerability
# database. `make audit` needs PyPI's JSON API or OSV on the network: not part of `make test`.
lock: venv
	$(PY) scripts/lock

audit:
	@scripts/audit $(AUDIT_ARGS)

clean:
	rm -rf var/ .pytest_cache
