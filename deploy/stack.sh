#!/usr/bin/env bash
# The production profile on one machine, for trying it out: `make stack DATABASE_URL=… REDIS_URL=…` (README).
#
# Migrates, collects the static files, loads the demo into an empty database, then runs gunicorn, a Celery
# worker and Celery beat (and with MAIL_SINK=1 a local SMTP sink) from deploy/Procfile under honcho, serving
# plain HTTP on 127.0.0.1:8000 until Ctrl-C. Everything not given is filled in for that one machine: a secret
# key generated once into .stack/secret_key, the broker on REDIS_URL's server under the next database number,
# SMTP on 127.0.0.1:1025, and cookies without the Secure flag (plain HTTP; a real deployment keeps them Secure).
set -euo pipefail
cd "$(dirname "$0")/.."

example="make stack DATABASE_URL=postgres://postgres@127.0.0.1:5432/kbportal REDIS_URL=redis://127.0.0.1:6379/0"
missing=()
[[ -n "${DATABASE_URL:-}" ]] || missing+=(DATABASE_URL)
[[ -n "${REDIS_URL:-}" ]] || missing+=(REDIS_URL)
if ((${#missing[@]})); then
  {
    needed="${missing[0]}"
    ((${#missing[@]} == 1)) || needed="${missing[0]} and ${missing[1]}"
    echo "make stack needs $needed: the production profile keeps its data in PostgreSQL (DATABASE_URL)"
    echo "and its cache and task queue in Redis (REDIS_URL). Create the database once, then, for example:"
    echo
    echo "  createdb -h 127.0.0.1 -U postgres kbportal"
    echo "  $example"
  } >&2
  exit 2
fi

bin=.venv/bin
export PATH="$PWD/$bin:$PATH"
mkdir -p .stack
chmod 700 .stack

# The broker: unless CELERY_BROKER_URL names one, the production settings take REDIS_URL's server under the
# next database number (kbportal/settings/base.py next_redis_database), so a cache flush never drops tasks.

if [[ -z "${DJANGO_SECRET_KEY:-}" ]]; then
  if [[ ! -s .stack/secret_key ]]; then
    (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(50))' >.stack/secret_key)
  fi
  DJANGO_SECRET_KEY="$(cat .stack/secret_key)"
fi
export DJANGO_SECRET_KEY

export DJANGO_SETTINGS_MODULE=kbportal.settings.production
export KBPORTAL_BIND="${KBPORTAL_BIND:-127.0.0.1:8000}"
export KBPORTAL_SITE_URL="${KBPORTAL_SITE_URL:-http://$KBPORTAL_BIND}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
# Plain HTTP on this machine: no redirect to HTTPS, and cookies the browser sends back without TLS.
export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-false}"
export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-false}"
export DJANGO_EMAIL_BACKEND="${DJANGO_EMAIL_BACKEND:-django.core.mail.backends.smtp.EmailBackend}"
export DJANGO_EMAIL_HOST="${DJANGO_EMAIL_HOST:-127.0.0.1}"
export DJANGO_EMAIL_PORT="${DJANGO_EMAIL_PORT:-1025}"
# Small, for a machine that also runs the database: two web workers, two task processes.
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
export KBPORTAL_WORKER_CONCURRENCY="${KBPORTAL_WORKER_CONCURRENCY:-2}"

if ! python manage.py migrate --noinput; then
  echo "Could not migrate $DATABASE_URL. Is the server running, and does the database exist?" >&2
  echo "Create it with e.g. createdb -h 127.0.0.1 -U postgres kbportal." >&2
  exit 1
fi
python manage.py collectstatic --noinput --verbosity 0
if python manage.py shell -c 'import sys; from articles.models import Article; sys.exit(not Article.objects.exists())'; then
  echo "The database holds content already: the demo is not loaded again."
else
  # As `make run` loads it: tasks inline (indexing in this process) and the demo's own mails not sent, so
  # neither thousands of queued index updates nor mails to made-up addresses wait for the worker.
  DJANGO_SETTINGS_MODULE=kbportal.settings.local DJANGO_DEBUG=false CELERY_BROKER_URL='' python manage.py load_demo
fi

processes=(web worker beat)
if [[ "${MAIL_SINK:-}" =~ ^(1|true|yes|on)$ ]]; then
  mkdir -p .stack/mail/cur .stack/mail/new .stack/mail/tmp  # a maildir
  processes+=(mail)
fi
echo "Starting ${processes[*]}: http://$KBPORTAL_BIND/ (Ctrl-C stops everything)"
exec honcho -f deploy/Procfile -d . start "${processes[@]}"
