# Practice Resilience — the public interface. `make demo` runs the app; `make test` proves it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/resilience
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install demo serve test lint worker beat migrate clean backup restore

install: $(VENV)/.installed static/vendor/.installed
	mkdir -p var/staticfiles var/media

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets come from npm (package-lock.json), never from a CDN.
# The NHS.UK CSS is compiled from the package's Sass without its font-face rules (they point at a CDN).
static/vendor/.installed: package.json package-lock.json static/scss/nhsuk.scss
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor
	mkdir -p static/vendor/nhsuk-frontend static/vendor/htmx
	npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps static/scss/nhsuk.scss static/vendor/nhsuk-frontend/nhsuk-frontend.min.css
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js.map static/vendor/nhsuk-frontend/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets static/vendor/nhsuk-frontend/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

# Zero set-up: SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set. DEBUG is off, so a missing page
# gets the service's own 404 page (not Django's debug page and its list of URLs); WhiteNoise serves the static files
# from the source folders (no collectstatic). DEBUG=true make demo brings the debug pages back.
demo: migrate
	$(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-false} WHITENOISE_USE_FINDERS=true $(PY) manage.py runserver 127.0.0.1:8000

test: install
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		$(PY) -m pytest $(PYTEST_ARGS)

# Style and correctness (ruff), the layers (import-linter: docs/architecture.md), security smells of medium severity
# and above (bandit), and known vulnerabilities in the installed packages (pip-audit, where the index serves them).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit --quiet --recursive resilience core practices contracts forwardplans casework concerns surveillance monitoring contractual agreements delivery finance evaluation returns levels events people api dashboards demo operations --exclude '*/migrations/*' --severity-level medium
	$(VENV)/bin/pip-audit --local --progress-spinner off --skip-editable

worker: install
	$(VENV)/bin/celery -A resilience worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A resilience beat --loglevel=INFO

# Database (pg_dump) and stored files in one archive under var/backups/; restore into an empty database.
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/resilience-backup-....tar.gz"; exit 2; }
	$(PY) manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) node_modules static/vendor var demo.sqlite3

# The England-scale benchmark (bench/README.md): a new PostgreSQL database (BENCH_DATABASE_URL,
# default postgres://postgres@127.0.0.1:5432/resilience_bench, dropped and made again), generate_scale_data,
# gunicorn with 2 workers, and the load generator (locust, in its own virtualenv) at 1, 8 and 32 users.
# Writes bench/results.json and the table in docs/performance.md. About 15-20 minutes.
.PHONY: bench
BENCH_VENV := var/bench/venv

bench: install $(BENCH_VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

$(BENCH_VENV)/.installed: bench/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.txt
	touch $@
