#!/usr/bin/env bash
# A PostgreSQL streaming replica of the primary on this machine, for the replica tests (tests/kbportal/
# test_replicas_streaming.py) and for trying DATABASE_REPLICA_URLS by hand. Not for production: it trusts
# every local connection.
#
#   deploy/replica/replica.sh start     # pg_basebackup -R from the primary, then pg_ctl start; idempotent
#   deploy/replica/replica.sh stop      # pg_ctl stop (fast), then the postmaster's pid if it lingers
#   deploy/replica/replica.sh status    # running or not, streaming or not
#   deploy/replica/replica.sh destroy   # stop, and remove its folder
#
# The primary is KBPORTAL_PRIMARY_HOST:KBPORTAL_PRIMARY_PORT (127.0.0.1:5432, user postgres, trust); the
# replica listens on 127.0.0.1:KBPORTAL_REPLICA_PORT (5433) and lives in KBPORTAL_REPLICA_DIR
# (/tmp/kbportal-replica-PORT: data/, log, socket). start adds, once, a pg_hba.conf line on the primary that
# lets 127.0.0.1 connect for replication (trust, like its other local lines) and reloads it. `start` on a
# stopped replica whose folder is there starts it again (it catches up by streaming); `destroy` then `start`
# makes a fresh copy. Each step is bounded in time. Runs as root (the server runs as the postgres user).
#   DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/kbportal   # then, for the portal
set -euo pipefail

PRIMARY_HOST=${KBPORTAL_PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${KBPORTAL_PRIMARY_PORT:-5432}
PORT=${KBPORTAL_REPLICA_PORT:-5433}
DIR=${KBPORTAL_REPLICA_DIR:-/tmp/kbportal-replica-$PORT}
DATA=$DIR/data
LOG=$DIR/postgresql.log
# Seconds for a base backup of the whole primary cluster; for the server to start or stop; to start streaming.
BACKUP_SECONDS=${KBPORTAL_REPLICA_BACKUP_SECONDS:-300}
START_SECONDS=${KBPORTAL_REPLICA_START_SECONDS:-180}

say() { printf 'replica: %s\n' "$*"; }
die() { printf 'replica: %s\n' "$*" >&2; exit 1; }

as_postgres() { runuser -u postgres -- "$@"; }

primary_sql() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -XAtqc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -XAtqc "$1"; }

# The server programs of the copy's major version, or else the primary's (Debian: /usr/lib/postgresql/15/bin).
bindir() {
  local major
  if [ -f "$DATA/PG_VERSION" ]; then
    major=$(cat "$DATA/PG_VERSION")
  else
    major=$(( $(primary_sql "show server_version_num") / 10000 ))
  fi
  [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] || die "no PostgreSQL $major server programs in /usr/lib/postgresql/$major/bin"
  echo "/usr/lib/postgresql/$major/bin"
}

# Whether a process runs (an exited one its parent has not reaped yet does not).
alive() { kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]; }

# The postmaster's pid, from its pid file, when that process is alive.
replica_pid() {
  [ -f "$DATA/postmaster.pid" ] || return 1
  local pid
  pid=$(head -1 "$DATA/postmaster.pid")
  [ -n "$pid" ] && alive "$pid" && echo "$pid"
}

allow_replication() {
  if psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -XAtqc "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    return 0
  fi
  local hba line
  hba=$(primary_sql "show hba_file")
  line="host replication postgres 127.0.0.1/32 trust"
  if ! grep -qxF "$line" "$hba"; then
    say "allowing replication connections from 127.0.0.1 in $hba"
    printf '# kbportal: deploy/replica/replica.sh (a local streaming replica for tests)\n%s\n' "$line" >>"$hba"
  fi
  primary_sql "select pg_reload_conf()" >/dev/null
  for _ in $(seq 1 10); do
    psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -XAtqc "IDENTIFY_SYSTEM" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "the primary on $PRIMARY_HOST:$PRIMARY_PORT still refuses replication connections (see $hba)"
}

base_backup() {
  local bin=$1
  [ "$(primary_sql "show wal_level")" != "minimal" ] || die "the primary's wal_level is minimal: set it to replica"
  rm -rf "$DIR"
  install -d -o postgres -g postgres -m 0700 "$DIR"
  say "copying the primary ($PRIMARY_HOST:$PRIMARY_PORT) into $DATA"
  # -R writes standby.signal and primary_conninfo; -X stream brings the WAL written during the copy.
  as_postgres timeout "$BACKUP_SECONDS" "$bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
    -D "$DATA" -R -X stream --checkpoint=fast --no-password \
    || die "pg_basebackup did not finish within ${BACKUP_SECONDS}s"
  # Debian keeps the primary's postgresql.conf and pg_hba.conf in /etc, so the copy has none: give it its own.
  # A hot standby needs at least the primary's values of these.
  local name needed=""
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
    needed+="$name = $(primary_sql "show $name")"$'\n'
  done
  as_postgres tee "$DATA/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
$needed
shared_buffers = 32MB
hot_standby = on
# The primary keeps the rows this replica's queries still read, instead of replay cancelling those queries.
hot_standby_feedback = on
wal_receiver_status_interval = 1s
logging_collector = off
CONF
  as_postgres tee "$DATA/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_postgres touch "$DATA/pg_ident.conf"
}

start() {
  command -v runuser >/dev/null || die "runuser is missing (util-linux)"
  [ "$(id -u)" = 0 ] || die "run as root: the server runs as the postgres user"
  pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q || die "the primary does not answer on $PRIMARY_HOST:$PRIMARY_PORT"
  if pid=$(replica_pid); then
    say "already running on 127.0.0.1:$PORT (pid $pid)"
    wait_streaming
    return 0
  fi
  if pg_isready -h 127.0.0.1 -p "$PORT" -q; then
    die "another server already listens on 127.0.0.1:$PORT; choose KBPORTAL_REPLICA_PORT"
  fi
  local bin
  bin=$(bindir)
  allow_replication
  if [ ! -f "$DATA/standby.signal" ] || [ ! -f "$DATA/PG_VERSION" ]; then
    base_backup "$bin"
  fi
  rm -f "$DATA/postmaster.pid"  # left by a server that was killed: no process holds it (checked above)
  as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -W start >/dev/null
  wait_ready
  wait_streaming
  say "running on 127.0.0.1:$PORT (pid $(replica_pid)), streaming from $PRIMARY_HOST:$PRIMARY_PORT"
}

# A hot standby accepts connections once a snapshot of the primary's running transactions that it can use has
# arrived: one without overflowed subtransactions (a test in a transaction with more than 64 savepoints
# overflows it). The primary writes one every 15 s, and at each checkpoint; on a primary busy with test suites
# many are unusable, so ask for one every few seconds instead of waiting minutes.
wait_ready() {
  local waited=0
  until pg_isready -h 127.0.0.1 -p "$PORT" -q; do
    replica_pid >/dev/null || { tail -20 "$LOG" >&2; die "the replica exited while starting (log: $LOG)"; }
    [ "$waited" -lt $((START_SECONDS * 2)) ] || { tail -20 "$LOG" >&2; die "the replica did not start within ${START_SECONDS}s (log: $LOG)"; }
    if [ $((waited % 6)) = 5 ]; then primary_sql "checkpoint" >/dev/null 2>&1 || true; fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

wait_streaming() {
  for _ in $(seq 1 $((START_SECONDS * 2))); do
    if [ "$(replica_sql "select pg_is_in_recovery() and exists (select 1 from pg_stat_wal_receiver where status = 'streaming')" 2>/dev/null)" = t ]; then
      return 0
    fi
    sleep 0.5
  done
  tail -20 "$LOG" >&2 || true
  die "the replica on 127.0.0.1:$PORT is not streaming after ${START_SECONDS}s (log: $LOG)"
}

stop() {
  local pid
  if ! pid=$(replica_pid); then
    say "not running"
    return 0
  fi
  if ! as_postgres "$(bindir)/pg_ctl" -D "$DATA" -m fast -w -t "$START_SECONDS" stop >/dev/null 2>&1 && alive "$pid"; then
    say "pg_ctl did not stop pid $pid; sending SIGQUIT"
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do alive "$pid" || break; sleep 0.5; done
  fi
  ! alive "$pid" || die "the replica (pid $pid) is still running"
  say "stopped (pid $pid)"
}

status() {
  if pid=$(replica_pid); then
    say "running on 127.0.0.1:$PORT (pid $pid); streaming: $(replica_sql "select coalesce((select status from pg_stat_wal_receiver), 'no')" 2>/dev/null || echo '?')"
  else
    say "not running"
    return 3
  fi
}

destroy() {
  stop
  rm -rf "$DIR"
  say "removed $DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) destroy ;;
  *) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac
