# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and calendar files lead to the server these targets start.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format serve install fixtures migrate static check clean bench soak messages

# honcho runs the processes of a Procfile side by side: the site and the email worker
# (which sends every email, so no visitor waits for the mail server). -e /dev/null:
# settings read .env themselves.
HONCHO := $(BIN)/honcho -e /dev/null

run: install .env migrate fixtures  ## Set up and serve the site at http://127.0.0.1:8000 on SQLite, with the email worker
	HOST=$(HOST) SITE_URL=$(SITE_URL) $(HONCHO) -f Procfile.dev start -p $(PORT)

test: install .env  ## Run the whole suite (browser tests too when Chromium is installed)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install  ## Lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-like: DEBUG off, gunicorn, whitenoise; plain HTTP on this machine only.
LOCAL_PRODUCTION := DEBUG=off ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=off \
	SESSION_COOKIE_SECURE=off CSRF_COOKIE_SECURE=off SECURE_HSTS_SECONDS=0

serve: install .env migrate static  ## Production-like: gunicorn with the repository's config, and the email worker
	$(LOCAL_PRODUCTION) SITE_URL=$(SITE_URL) GUNICORN_BIND=$(HOST):$(PORT) $(HONCHO) -f Procfile start

# Translations: each locale/<lang>/LC_MESSAGES/*.po compiled by Babel (a Python package in
# the lock), so no system gettext is needed. The .mo files are built, never committed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
install: $(VENV)/.synced $(MO_FILES)

%.mo: %.po | $(VENV)/.synced
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After marking strings: add them to the French catalogue to translate (Django's
# makemessages, which needs gettext's xgettext).
messages: install .env  ## Collect the marked strings into locale/fr/LC_MESSAGES/django.po
	$(MANAGE) makemessages --locale fr --no-obsolete --no-location --ignore ".venv/*" --ignore "staticfiles/*" --ignore "tests/*"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv installs exactly what uv.lock says; the stamp makes the next `make run` instant.
$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/uv sync --locked --inexact --active
	touch $@

# A local .env from .env.example: DEBUG on and a freshly generated SECRET_KEY.
.env: | $(BIN)/python
	$(BIN)/python -c "import re, secrets, pathlib; \
	text = pathlib.Path('.env.example').read_text(); \
	text = re.sub(r'(?m)^SECRET_KEY=.*$$', 'SECRET_KEY=' + secrets.token_urlsafe(50), text); \
	text = re.sub(r'(?m)^DEBUG=.*$$', 'DEBUG=on', text); \
	pathlib.Path('.env').write_text(text)"
	@echo "Wrote .env (DEBUG on, new SECRET_KEY)"

migrate: install .env
	$(MANAGE) migrate --no-input

# The launch release, into a database that has none of it; elsewhere nothing changes.
fixtures: install .env migrate
	$(MANAGE) load_release

static: install .env
	$(MANAGE) collectstatic --no-input --verbosity 0

check: install .env
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

bench: install .env  ## Requests/s of every public page under load, as a table (docs/performance.md)
	$(BIN)/python -m taskforce.bench

soak: install .env  ## 10 minutes of mixed traffic through mail, database and Redis outages (PostgreSQL, Redis)
	$(BIN)/python -m taskforce.soak
