"""The mail server the stack sends to: records every message, and can refuse or stall on the same port.

- "up": aiosmtpd accepts and records (Message-ID, envelope recipients, Subject, arrival time);
- "refuse": nothing listens, so connections are refused;
- "stall": a plain socket accepts connections and never says a word (not even the greeting).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    received_at: float


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mails: list[Mail] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content)
        mail = Mail(
            message_id=(message.get("Message-ID") or "").strip(),
            recipients=tuple(address.lower() for address in envelope.rcpt_tos),
            subject=" ".join(str(make_header(decode_header(message.get("Subject", "")))).split()),
            received_at=time.monotonic(),
        )
        with self.lock:
            self.mails.append(mail)
        return "250 Message accepted for delivery"


class _Staller(threading.Thread):
    """Accepts and sits: the client's connection stays open, unanswered, until the stall ends."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True, name="smtp-stall")
        self.server = socket.create_server(("127.0.0.1", port), reuse_port=False, backlog=64)
        self.server.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=2)
        self.server.close()
        for connection in self.held:
            connection.close()


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.recorder = _Recorder()
        self.mode = "off"
        self._controller: Controller | None = None
        self._staller: _Staller | None = None

    def set_mode(self, mode: str) -> None:
        """ "up", "refuse" or "stall"; the previous mode's listener is closed first."""
        if mode == self.mode:
            return
        self._stop_listening()
        if mode == "up":
            self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10)
            self._controller.start()
        elif mode == "stall":
            self._staller = _Staller(self.port)
            self._staller.start()
        self.mode = mode

    def _stop_listening(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._staller is not None:
            self._staller.stop()
            self._staller = None

    def stop(self) -> None:
        self._stop_listening()
        self.mode = "off"

    def mails(self) -> list[Mail]:
        with self.recorder.lock:
            return list(self.recorder.mails)

    def clear(self) -> None:
        with self.recorder.lock:
            self.recorder.mails.clear()
