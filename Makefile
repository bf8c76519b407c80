# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run stack test setup migrate demo translations lint format ci messages clean

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

test: setup
	$(BIN)/pytest -n 2 -p no:cacheprovider

setup: $(STAMP) translations

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
	rm -rf $(VENV) staticfiles .test-db*.sqlite3*
