"""gunicorn for kbportal: `gunicorn -c deploy/gunicorn.conf.py kbportal.wsgi` (README, "Deploying at scale").

Read by gunicorn 27 as Python. Sizing comes from the environment (KBPORTAL_BIND, WEB_CONCURRENCY,
KBPORTAL_WEB_THREADS, FORWARDED_ALLOW_IPS, KBPORTAL_CONTROL_SOCKET); any other setting can be changed
without editing this file through GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--timeout 60", which gunicorn
applies over this file.
"""

import atexit
import gc
import os
import sys

# --- Where and how many ----------------------------------------------------------------------------------

bind = [address.strip() for address in os.environ.get("KBPORTAL_BIND", "127.0.0.1:8000").split(",") if address]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (a container's or systemd's share)
    except AttributeError:
        return os.cpu_count() or 1


# Searching and rendering are CPU work in Python, so processes, not threads, give parallelism: the usual
# 2 × CPUs + 1, capped at 12 because each worker costs memory (about 170 MB resident, 95 MB of it not shared
# with the master) and database connections. WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cpus() + 1, 12))
# A few threads per worker (gthread) keep a worker answering while one request waits on the database, and
# serve keep-alive connections; each thread holds its own database connection (workers × threads per machine).
worker_class = "gthread"
threads = int(os.environ.get("KBPORTAL_WEB_THREADS") or 2)

# --- Time ---------------------------------------------------------------------------------------------------

# A worker silent for this long is killed and replaced (the request gets no answer, the log says why).
timeout = 30
# On SIGTERM or a reload, requests in flight get this long to finish.
graceful_timeout = 30
# Seconds an idle keep-alive connection stays open; behind a load balancer make it longer than the balancer's
# own idle timeout (GUNICORN_CMD_ARGS="--keep-alive 75"), or it may reuse a connection gunicorn just closed.
keepalive = 5
# Recycle each worker after about ten thousand requests, staggered, so slow leaks never build up. Not much
# more often: a new worker costs CPU (forking, its first requests, and its exit — see worker_exit below).
max_requests = 10000
max_requests_jitter = 1000
# The heartbeat file on a memory file system: on a slow disk its fchmod can stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn makes it with mkstemp

# --- Proxies ------------------------------------------------------------------------------------------------

# Addresses of the proxies whose X-Forwarded-Proto gunicorn believes (comma-separated, CIDR allowed; "*" when
# only the proxy can reach this port). Django's own trust of X-Forwarded-For is KBPORTAL_TRUSTED_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- Logs ---------------------------------------------------------------------------------------------------

accesslog = "-"  # stdout; errors and gunicorn's own messages go to stderr
# Client, request, status, bytes, latency in milliseconds, referrer, agent, and the request id the application
# answers with (X-Request-ID), so an access line leads to the application's log lines of the same request.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'


def _logs_json() -> bool:
    """JSON when the application logs JSON: production's default, DJANGO_LOG_FORMAT=plain keeps lines."""
    production = os.environ.get("DJANGO_SETTINGS_MODULE", "kbportal.settings.production").endswith(".production")
    return os.environ.get("DJANGO_LOG_FORMAT", "json" if production else "plain") == "json"


# The access and error logs, scrubbed of signed links' tokens and addresses: as JSON lines in the application's
# shape (method, path, status, duration_ms, bytes, remote_addr, user_agent, request_id) when it logs JSON, else
# as the line above.
from kbportal.observability.logging import gunicorn_logconfig_dict  # noqa: E402 - after the settings above

logconfig_dict = gunicorn_logconfig_dict(json=_logs_json())

# --- Loading and warming up ----------------------------------------------------------------------------------

# The application is loaded once in the master before it forks, and loading it (kbportal/wsgi.py) warms up the
# search: jieba, OpenCC, Snowball, the analyzer with the staff's synonyms and the did-you-mean vocabulary
# (kbportal/search/warmup.py). Workers start warm and share those pages; code changes need a restart. Without
# preloading each worker warms itself up as it loads the application, before its first request.
preload_app = True

# gunicornc's control socket, off unless given a path: its default ($HOME/.gunicorn/gunicorn.ctl) is shared by
# every gunicorn of the account, and a second one would take it over.
control_socket = os.environ.get("KBPORTAL_CONTROL_SOCKET", "")
control_socket_disable = not control_socket


# --- Forking and leaving cheaply -----------------------------------------------------------------------------


def pre_fork(server, worker) -> None:
    """Move everything the master loaded into the collector's permanent generation before each fork.

    The workers then never scan those objects in a collection, and so never write to (copy) the pages they share
    with the master: about 0.1 ms of CPU per request of a stored page, measured (bench/web_throughput.py)."""
    gc.freeze()


def worker_exit(server, worker) -> None:
    """A worker that leaves normally (max_requests, a reload, SIGTERM) skips tearing the interpreter down.

    Finalising a worker frees its whole heap object by object, touching (and copying) every page it shares with
    the master: about half a second of CPU per exit, measured, i.e. 0.5 ms per request at max_requests = 1000.
    Here the requests are finished (gunicorn's graceful shutdown) and the request threads are joined; the exit
    functions (kbportal/buffer.py's flush, logging's, error tracking's) run as at any exit; then the process
    ends at once. An error exit, and the master's own call after a worker it found dead, go on as usual."""
    if os.getpid() != worker.pid:
        return
    leaving = sys.exc_info()[1]
    if not isinstance(leaving, SystemExit) or leaving.code not in (0, None):
        return
    pool = getattr(worker, "tpool", None)  # gthread's request threads
    if pool is not None:
        pool.shutdown(wait=True)
    atexit._run_exitfuncs()  # what the interpreter would call at its exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
