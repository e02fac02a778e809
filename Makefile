# The two commands that must always work from a fresh clone: `make run` and `make test`.
# Variables given on the command line or in the environment override the defaults below.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := backend:.

PORT ?= 8000
export PORT

# Without DJANGO_SETTINGS_MODULE every entry point loads the production settings, which refuse to
# start without their secrets. `make run` is the development shape; `make test` always the test one.
RUN_SETTINGS ?= config.settings.dev
TEST_SETTINGS := config.settings.test
run: export DJANGO_SETTINGS_MODULE ?= $(RUN_SETTINGS)

# `make test` talks to the real PostgreSQL and Redis on this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test lint format messages bench crisis-eval clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python backend/manage.py migrate --noinput
	$(BIN)/python backend/manage.py seed_demo
	@echo ""
	@echo "  Contact form:   http://127.0.0.1:$(PORT)/contact/"
	@echo "  Staff admin:    http://127.0.0.1:$(PORT)/admin/"
	@echo "  API docs:       http://127.0.0.1:$(PORT)/api/docs/"
	@echo "  Health:         http://127.0.0.1:$(PORT)/healthz  and  /readyz"
	@echo "  Ctrl-C stops web, worker and beat."
	@echo ""
	@# honcho hands each process its own PORT (web's + 100, + 200); the worker must still reach web's sandbox.
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/honcho -f Procfile start

# Chromium, its driver and docker-compose, installed if missing and this user may (else it says how).
test: install
	@.ci/system-packages
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python tests/preflight.py
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend workers

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations: refresh every app's catalogues (locale/<code>/LC_MESSAGES/django.po) from the code,
# then compile them. Needs GNU gettext; the compiled .mo files are committed, so running needs none.
# A new language: `cd backend/clinic/<app> && ../../manage.py makemessages -l <code>` in each app with a
# locale/ folder, translate, add the code to CLINIC_LANGUAGES, then make messages.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || { echo "make messages needs GNU gettext: sudo apt-get install gettext"; exit 1; }
	@for locale in backend/clinic/*/locale; do \
		(cd $$locale/.. && DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) PYTHONPATH=$(CURDIR)/backend:$(CURDIR) \
			$(CURDIR)/$(BIN)/python $(CURDIR)/backend/manage.py makemessages --all --no-location --no-obsolete) || exit 1; \
	done
	cd backend && DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(CURDIR)/$(BIN)/python manage.py compilemessages --ignore '.venv'

bench: install
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python tests/preflight.py
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python bench/run.py

# Crisis detector on its labelled corpus: recall and false pages per category, every miss, latency. No database.
crisis-eval: install
	$(BIN)/python bench/crisis_eval.py

clean:
	rm -rf $(VENV) .var .pytest_cache .mypy_cache .ruff_cache
