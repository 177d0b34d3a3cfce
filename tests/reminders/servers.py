"""Real local servers for the channel tests: an HTTP server and an SMTP server in threads.

Each records what it received and answers what the test chose, so the channels are tested
through their real clients (httpx, requests via pywebpush, Django's SMTP backend) and real
sockets, never with our own code mocked out.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class HTTPRecorder:
    """An HTTP server on 127.0.0.1 that records each request and gives the chosen answer."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._answer = Answer()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        # A short poll interval: shutdown() waits up to one interval, at every test's teardown.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(
        self, status: int, *, json_body: Any = None, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        body = json.dumps(json_body).encode() if json_body is not None else b""
        content_type = {"content-type": "application/json"} if json_body is not None else {}
        self._answer = Answer(status, body, {**content_type, **(headers or {})}, delay)

    def start(self) -> HTTPRecorder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Do not wait on close for a handler still sleeping through a "slow" answer.
    block_on_close = False


def _handler_for(recorder: HTTPRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            recorder.received.append(Received("POST", self.path, headers, body))
            answer = recorder._answer
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:  # the client gave up waiting (the timeout tests)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def http_recorder() -> Iterator[HTTPRecorder]:
    recorder = HTTPRecorder().start()
    try:
        yield recorder
    finally:
        recorder.stop()


# --- SMTP -----------------------------------------------------------------------------------


class MailRecorder:
    """An aiosmtpd handler: records each message; a recipient's local part picks an answer.

    At RCPT, ``busy@…`` is refused with 451 (try later) and ``gone@…`` with 550 (no such
    mailbox); after DATA, a message to ``full@…`` gets 452 and one to ``spam@…`` 554. Anyone
    else's message is accepted.
    """

    REFUSALS = {"busy": "451 4.3.0 Mailbox busy, try again later", "gone": "550 5.1.1 No such mailbox"}
    DATA_REFUSALS = {"full": "452 4.3.1 Insufficient system storage", "spam": "554 5.7.1 Message rejected"}

    def __init__(self) -> None:
        self.messages: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        refusal = self.REFUSALS.get(address.partition("@")[0])
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        for address in envelope.rcpt_tos:
            refusal = self.DATA_REFUSALS.get(address.partition("@")[0])
            if refusal:
                return refusal
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class _AnyPortController(Controller):
    """aiosmtpd's Controller on port 0: it checks readiness by connecting to ``self.port``,
    so that must be the port the OS chose before the check runs."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_recorder() -> Iterator[tuple[MailRecorder, int]]:
    handler = MailRecorder()
    controller = _AnyPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()
