"""Real local servers for the channel tests: an HTTP(S) server and an SMTP server in threads.

Each records what it received and answers what the test chose, so the channels are tested
through their real clients (httpx, Django's SMTP backend) and real sockets, never with our
own code mocked out. The HTTPS server's certificate comes from a certificate authority made
here (``TEST_TLS``), for ``push.test`` and its subdomains, which the tests resolve to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    at: float = field(default_factory=time.time)  # when it arrived (before the answer's delay)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0  # seconds between the body's bytes: a server that never quite stops answering


def json_answer(status: int, body: Any, **kwargs: Any) -> Answer:
    return Answer(status, json.dumps(body).encode(), {"content-type": "application/json"}, **kwargs)


class HTTPRecorder:
    """An HTTP server on 127.0.0.1 that records each request and gives the chosen answer.

    With ``tls``, it speaks HTTPS with a certificate for ``push.test`` (``https_url``). With
    ``respond``, that function chooses each answer from the request (a token endpoint).
    """

    def __init__(self, *, tls: bool = False, respond: Callable[[Received], Answer] | None = None) -> None:
        self.received: list[Received] = []
        self._answer = Answer()
        self._respond = respond
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server.tls = TEST_TLS.server_context() if tls else None
        # A short poll interval: shutdown() waits up to one interval, at every test's teardown.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self._server.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def https_url(self, host: str = "push.test") -> str:
        """The server's URL under a name of the test certificate (resolved by the test)."""
        return f"https://{host}:{self.port}"

    def answer(
        self,
        status: int,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        trickle: float = 0.0,
        body: bytes = b"",
    ) -> None:
        body = json.dumps(json_body).encode() if json_body is not None else body
        content_type = {"content-type": "application/json"} if json_body is not None else {}
        self._answer = Answer(status, body, {**content_type, **(headers or {})}, delay, trickle)

    def answer_with(self, respond: Callable[[Received], Answer]) -> None:
        """Choose each answer from its request from now on."""
        self._respond = respond

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
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The handshake happens in the handler's thread, so one silent client cannot stall accept().
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


def _handler_for(recorder: HTTPRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def handle(self) -> None:
            # A client that gave up, or refused our certificate, is not the server's problem.
            with contextlib.suppress(OSError):
                super().handle()

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = Received(self.command, self.path, headers, body)
            recorder.received.append(request)
            answer = recorder._respond(request) if recorder._respond else recorder._answer
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                if not answer.trickle:
                    self.wfile.write(answer.body)
                for byte in answer.body if answer.trickle else b"":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(answer.trickle)
            except OSError:  # the client gave up waiting (the timeout tests)
                pass

        do_GET = do_PUT = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def http_recorder(*, tls: bool = False, respond: Callable[[Received], Answer] | None = None) -> Iterator[HTTPRecorder]:
    recorder = HTTPRecorder(tls=tls, respond=respond).start()
    try:
        yield recorder
    finally:
        recorder.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never says a word (nor closes them)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.02)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for sock in [*accepted, listener]:
            sock.close()


# --- TLS ------------------------------------------------------------------------------------


class _TestTLS:
    """A certificate authority of the tests' own and one certificate it signed, for
    ``push.test``, ``*.push.test`` and 127.0.0.1; made once per run."""

    @cache  # noqa: B019 -- one instance for the whole run, on purpose
    def _files(self) -> tuple[str, str, str]:
        now = datetime.now(UTC)

        def certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: Any, *, ca: bool):
            builder = (
                x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                .issuer_name(issuer)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            )
            if ca:
                builder = builder.add_extension(
                    x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
                ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            else:
                names: list[x509.GeneralName] = [
                    x509.DNSName("push.test"),
                    x509.DNSName("*.push.test"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
                builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
                builder = builder.add_extension(
                    x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
                )
            return builder.sign(signer, hashes.SHA256())

        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Good Enough test CA")])
        ca = certificate("Good Enough test CA", ca_key, ca_name, ca_key, ca=True)
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        leaf = certificate("push.test", leaf_key, ca_name, ca_key, ca=False)
        folder = tempfile.mkdtemp(prefix="good-enough-tls-")
        paths = (f"{folder}/ca.pem", f"{folder}/cert.pem", f"{folder}/key.pem")
        pem = serialization.Encoding.PEM
        contents = (
            ca.public_bytes(pem),
            leaf.public_bytes(pem),
            leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        )
        for path, content in zip(paths, contents, strict=True):
            with open(path, "wb") as file:
                file.write(content)
        return paths

    def server_context(self) -> ssl.SSLContext:
        _, cert, key = self._files()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What a client that trusts only the test authority verifies with."""
        return ssl.create_default_context(cafile=self._files()[0])


TEST_TLS = _TestTLS()


def resolving(names: dict[str, list[str]], calls: list[str] | None = None) -> Callable[[str, int], list[str]]:
    """A resolver that knows only ``names`` (and records each question in ``calls``)."""

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is unknown here")
        return names[host]

    return resolve


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
