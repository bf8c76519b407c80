# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run stack test e2e setup browser-deps migrate demo translations lint types format ci messages clean layers

# `make run PORT=8100` serves there; e-mailed links (and the demo's closing line) name that port too, unless
# KBPORTAL_SITE_URL is set. Pages link to the host they are asked on.
PORT ?= 8000
run: export KBPORTAL_SITE_URL ?= http://127.0.0.1:$(PORT)
run: setup migrate demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production profile on one machine: gunicorn, a Celery worker and beat against PostgreSQL and Redis
# (README). Refuses to start without DATABASE_URL and REDIS_URL; MAIL_SINK=1 adds a local SMTP sink.
stack: setup
	./deploy/stack.sh

# The whole suite but the browser journeys, on two workers (about three minutes). `--dist loadgroup` keeps
# each xdist_group on one worker, so the demo, the backup site and the access matrix's world are built once.
test: setup
	$(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider -m "not e2e"

# The browser journeys (tests/e2e, about ten minutes against a live portal), which need Debian's chromium
# (apt-get install chromium) and npm for axe-core. CI runs `make test` and `make e2e`.
e2e: setup
	@test -x "$${KBPORTAL_E2E_CHROMIUM:-/usr/bin/chromium}" || { \
		echo "make e2e: chromium is not installed (Debian: apt-get install chromium)" >&2; exit 1; }
	@test -f tests/e2e/node_modules/axe-core/axe.min.js || { \
		echo "make e2e: axe-core is missing; install Node.js and npm, then run make setup" >&2; exit 1; }
	KBPORTAL_E2E_REQUIRED=1 $(BIN)/pytest -p no:cacheprovider tests/e2e

setup: $(STAMP) translations browser-deps

# axe-core for the journeys' accessibility checks, from npm when npm is here (the journeys skip without it).
browser-deps: $(STAMP)
	@if [ ! -f tests/e2e/node_modules/.package-lock.json ] && command -v npm >/dev/null; then \
		npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error; fi

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/python manage.py compile_translations

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs over the services, selectors, querysets and the search engine (strict there; the files
# and settings are in pyproject.toml's [tool.mypy]). The cache in .mypy_cache makes a second run quick.
types: setup
	$(BIN)/mypy

# The floor plan's contracts ([tool.importlinter] in pyproject.toml): a room imports only the rooms below it.
layers: setup
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the catalogues after changing strings (needs GNU gettext's xgettext).
messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'bench/*'

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) .mypy_cache staticfiles .test-db*.sqlite3* tests/e2e/node_modules tests/e2e/artifacts
