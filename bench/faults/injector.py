"""The six faults, injected one after another while the traffic runs, each followed by a recovery period."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .smtp_sink import SmtpSink
from .stack import Stack, socket_owner
from .traffic import Recorder, Traffic


@dataclass
class Fault:
    number: int
    name: str
    seconds: float  # how long the fault lasts (for a kill: until the restart)
    recovery: float
    begin: Callable[[], str]  # returns a note for the report
    end: Callable[[], str]


@dataclass
class Window:
    label: str
    name: str
    started: float
    fault_ended: float = 0.0
    ended: float = 0.0
    note: str = ""


class Injector:
    def __init__(self, stack: Stack, sink: SmtpSink, traffic: Traffic, recorder: Recorder, *, quick: bool) -> None:
        self.stack = stack
        self.sink = sink
        self.traffic = traffic
        self.recorder = recorder
        self.quick = quick
        self.windows: list[Window] = []

    def faults(self) -> dict[int, Fault]:
        q = self.quick
        return {
            1: Fault(1, "SMTP refuses connections", 15 if q else 60, 8 if q else 10,
                     lambda: self._smtp("refuse"), lambda: self._smtp("up")),
            # A little longer than gunicorn's 30 s timeout: a request stuck on SMTP gets its worker killed.
            2: Fault(2, "SMTP accepts, never answers", 12 if q else 35, 10 if q else 15,
                     lambda: self._smtp("stall"), lambda: self._smtp("up")),
            3: Fault(3, "cache Redis stopped", 10 if q else 30, 8 if q else 10,
                     lambda: self._redis_stop("redis-cache"), lambda: self._redis_start("redis-cache")),
            4: Fault(4, "Celery worker SIGKILLed mid-tasks", 5 if q else 10, 8 if q else 10,
                     self._kill_worker, self._restart_worker),
            5: Fault(5, "broker Redis stopped while publishing", 10 if q else 30, 10 if q else 15,
                     self._broker_down_while_publishing, lambda: self._redis_start("redis-broker")),
            6: Fault(6, "gunicorn worker SIGKILLed mid-request", 2, 8 if q else 10,
                     self._kill_web_worker_mid_request, lambda: "gunicorn replaces its worker"),
        }  # fmt: skip

    # --- Running them -------------------------------------------------------------------------------------------

    def run(self, numbers: list[int], baseline: float, deadline: float) -> None:
        self._window("baseline", "no fault", baseline)
        for number in numbers:
            if time.monotonic() > deadline:
                print(f"  time budget spent: fault {number} and later skipped", flush=True)
                break
            fault = self.faults()[number]
            self._inject(fault)

    def _window(self, label: str, name: str, seconds: float) -> Window:
        window = Window(label=label, name=name, started=self.recorder.now())
        self.recorder.window = label
        self.windows.append(window)
        time.sleep(seconds)
        window.fault_ended = window.ended = self.recorder.now()
        return window

    def _inject(self, fault: Fault) -> None:
        label = str(fault.number)
        window = Window(label=label, name=fault.name, started=self.recorder.now())
        self.windows.append(window)
        self.recorder.window = label
        print(f"  [{window.started:6.1f} s] fault {fault.number}: {fault.name} for {fault.seconds:.0f} s", flush=True)
        notes = [fault.begin()]
        remaining = fault.seconds - (self.recorder.now() - window.started)
        time.sleep(max(0.0, remaining))
        notes.append(fault.end())
        window.fault_ended = self.recorder.now()
        print(f"  [{window.fault_ended:6.1f} s] fault {fault.number} over; recovery {fault.recovery:.0f} s", flush=True)
        time.sleep(fault.recovery)
        window.ended = self.recorder.now()
        window.note = "; ".join(note for note in notes if note)

    # --- SMTP ------------------------------------------------------------------------------------------------------

    def _smtp(self, mode: str) -> str:
        self.sink.set_mode(mode)
        return ""

    # --- Redis -------------------------------------------------------------------------------------------------------

    def _redis_stop(self, name: str) -> str:
        self.stack.stop_child(name, timeout=5)
        return f"{name} stopped"

    def _redis_start(self, name: str) -> str:
        self.stack.start_redis(name)
        return f"{name} restarted (empty)"

    # --- Celery worker --------------------------------------------------------------------------------------------

    def _kill_worker(self) -> str:
        """Publish a few articles so index tasks are on their way, then kill the worker's whole process group."""
        publishers = [threading.Thread(target=self.traffic.publish_article, daemon=True) for _ in range(3)]
        for thread in publishers:
            thread.start()
        deadline = time.monotonic() + 8
        while self._tasks_in_flight() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        in_flight = self._tasks_in_flight()
        self.stack.supervised.discard("worker")  # down on purpose until _restart_worker
        self.stack.send_signal("worker", signal.SIGKILL)
        self.stack.children["worker"].process.wait(timeout=10)
        return f"worker killed with {in_flight} task(s) received and not finished"

    def _tasks_in_flight(self) -> int:
        log = self.stack.children["worker"].log.read_text(errors="replace")
        received = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] received", log))
        finished = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] (?:succeeded|failed|raised)", log))
        return len(received - finished)

    def _restart_worker(self) -> str:
        """Start it again; the recovery period counts from when it is ready to take tasks."""
        log = self.stack.children["worker"].log
        readies = log.read_text(errors="replace").count(" ready.")
        started = time.monotonic()
        self.stack.start_worker()
        self.stack.supervised.add("worker")
        deadline = started + 60
        while log.read_text(errors="replace").count(" ready.") <= readies and time.monotonic() < deadline:
            time.sleep(0.2)
        return f"worker restarted, ready after {time.monotonic() - started:.1f} s"

    # --- Broker ------------------------------------------------------------------------------------------------------

    def _broker_down_while_publishing(self) -> str:
        self.stack.stop_child("redis-broker", timeout=5)
        for _ in range(3):
            threading.Thread(target=self.traffic.publish_article, daemon=True).start()
        return "redis-broker stopped; 3 extra articles published"

    # --- gunicorn -------------------------------------------------------------------------------------------------

    def _kill_web_worker_mid_request(self) -> str:
        """Send a ticket (form, then API) and SIGKILL the gunicorn worker that holds that very connection."""
        killed: list[int] = []
        seen = []
        for send in (self.traffic.ticket_by_form, self.traffic.ticket_by_api):
            op = send(on_sent=_KillOnce(self.stack, killed))
            if op is not None:
                seen.append(f"{op.kind}: {op.attempts} attempt(s), then {op.status or op.error}")
        return f"SIGKILLed {len(killed)} worker(s) holding the request; " + "; ".join(seen)


class _KillOnce:
    """on_sent hook: find the gunicorn worker serving this connection and SIGKILL it (first attempt only)."""

    def __init__(self, stack: Stack, killed: list[int]) -> None:
        self.stack = stack
        self.killed = killed
        self.done = False

    def __call__(self, local_port: int) -> None:
        if self.done:
            return
        self.done = True
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            owner = socket_owner(self.stack.gunicorn_workers(), self.stack.web_port, local_port)
            if owner is not None:
                os.kill(owner, signal.SIGKILL)
                self.killed.append(owner)
                return
            time.sleep(0.005)
