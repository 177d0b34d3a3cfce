"""Outbound HTTP: a deadline on every request, and a guard for URLs a user can aim.

Two layers, both inside one ``httpx`` client made per send (``client``):

- **A deadline for the whole request.** httpx's timeouts apply to each socket operation, so a
  server that answers one byte every few seconds holds a worker for as long as it likes. Here
  the name's lookup, every connect, TLS handshake, read and write get only what is left of one
  budget, and the request fails with httpx's own timeout errors once it is spent.
- **A guard** (``Guard``), for a URL someone outside chose (a browser's Web Push endpoint):
  https only, the host on an allow-list, the name resolved once, *every* address checked
  (``address_refusal``), and the connection made to an address that was checked, so a second
  DNS answer cannot swap in ``127.0.0.1`` (DNS rebinding). TLS still verifies, and the Host
  header still names, the host name. The client never follows a redirect and ignores proxy
  variables (a proxy would resolve the name itself).

``url_refusal`` is the check without any lookup, for the moment a URL is accepted (an API
request must not wait on DNS, and machines here resolve no outside name). Both raise or
return ``Refused`` with a short ``code``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: ``(host, port)`` to the addresses to try, as text; ``system_resolver`` asks the OS.
Resolver = Callable[[str, int], Sequence[str]]

_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix: the last 32 bits are IPv4
#: Characters that no host name has and that parsers disagree about (userinfo, backslashes, spaces).
_ODD_NETLOC = re.compile(r"[@\\\s%]")


class Refused(Exception):
    """The URL, its host or an address it resolves to is not one we connect to."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code  # not_https, host_not_allowed or address_not_allowed


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``patterns``: a name, or ``*.name`` for any name under it
    (not ``name`` itself). An address, in any spelling, is never allowed by name."""
    host = host.lower().rstrip(".")
    if not host or looks_numeric(host):
        return False
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def looks_numeric(host: str) -> bool:
    """An IP address in any spelling a resolver might accept: ``[::1]``, ``127.0.0.1``, and the
    odd ones inet_aton takes (``2130706433``, ``0x7f000001``, ``0177.1``, ``127.1``). Like the
    WHATWG URL standard, a host whose last label is a number is taken for an address."""
    host = host.strip("[]").rstrip(".")
    if ":" in host:
        return True
    last = host.rsplit(".", 1)[-1].lower()
    return bool(last) and (last.isdigit() or bool(re.fullmatch(r"0x[0-9a-f]*", last)))


def url_refusal(url: str, *, allowed_hosts: Iterable[str]) -> Refused | None:
    """Why ``url`` may not be connected to, judged by its text alone (no DNS); None if it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError:
        return Refused("The URL does not parse.", code="not_https")
    if parts.scheme != "https":
        return Refused("Only https URLs are allowed.", code="not_https")
    if not parts.hostname or _ODD_NETLOC.search(parts.netloc):
        return Refused("The URL has no plain host name.", code="host_not_allowed")
    if not host_allowed(parts.hostname, allowed_hosts):
        return Refused(f"{parts.hostname} is not an allowed host.", code="host_not_allowed")
    return None


def address_refusal(address: Address) -> str | None:
    """Why nobody outside should make us connect to ``address``; None for a public unicast one.

    IPv6 forms that carry an IPv4 address (mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
    6to4 ``2002::/16``) are judged by the IPv4 address they lead to as well.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        )
        if embedded is not None:
            return address_refusal(embedded)
        if address.sixtofour is not None and (reason := address_refusal(address.sixtofour)):
            return f"{reason} (in a 6to4 address)"
        if address.is_site_local:
            return "a site-local address"
    for reason, applies in (
        ("an unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a shared (carrier-grade NAT) address", address in _SHARED_ADDRESS_SPACE),
        ("a reserved address", address.is_reserved),
        ("a private address", address.is_private),
        ("not a global address", not address.is_global),
    ):
        if applies:
            return reason
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the OS resolver gives for ``host``, in its order, each once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for *_, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone index
        if text not in addresses:
            addresses.append(text)
    return addresses


@dataclass(frozen=True)
class Guard:
    """Where a user-chosen URL may lead: these host names, at public addresses only.

    ``also_allowed`` lists networks allowed despite being private; no deployment sets it, the
    tests put loopback there to reach their local servers.
    """

    allowed_hosts: tuple[str, ...]
    resolver: Resolver = system_resolver
    also_allowed: tuple[Network, ...] = field(default=())

    def addresses(self, host: str, port: int) -> list[Address]:
        """The checked addresses to connect to for ``host``; raises ``Refused`` if any is not allowed.

        Every address must pass, not only the first: the connection may try each in turn.
        """
        if not host_allowed(host, self.allowed_hosts):
            raise Refused(f"{host} is not an allowed host.", code="host_not_allowed")
        try:
            answers = [ipaddress.ip_address(text) for text in self.resolver(host, port)]
        except ValueError as error:
            raise Refused(f"{host} resolved to a non-address.", code="address_not_allowed") from error
        if not answers:
            raise OSError(f"{host} has no address.")
        for address in answers:
            reason = address_refusal(address)
            if reason and not any(address in network for network in self.also_allowed):
                raise Refused(f"{host} resolves to {address}, {reason}.", code="address_not_allowed")
        return answers


@contextmanager
def client(
    *, seconds: float, guard: Guard | None = None, verify: ssl.SSLContext | bool = True
) -> Iterator[httpx.Client]:
    """An httpx client whose requests together take at most ``seconds`` from now, that follows
    no redirect, and that connects only where ``guard`` allows (anywhere without one: the URLs
    an operator configured)."""
    backend = _Backend(deadline=time.monotonic() + seconds, guard=guard)
    tls = _default_tls() if verify is True else httpx.create_ssl_context(verify=verify)
    transport = httpx.HTTPTransport(verify=tls, retries=0)
    # httpx's transport takes no network backend, but its pool is httpcore's, which does; so
    # the pool is built again with ours, and the same TLS context.
    transport._pool = httpcore.ConnectionPool(ssl_context=tls, network_backend=backend, retries=0)
    hooks = {"request": [_https_only]} if guard is not None else {}
    with httpx.Client(
        transport=transport, timeout=seconds, follow_redirects=False, trust_env=False, event_hooks=hooks
    ) as http:
        yield http


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """httpx's default verification (certifi's roots, or SSL_CERT_FILE), made once per process:
    loading the roots takes ~0.1 s of CPU, which every send would otherwise pay."""
    return httpx.create_ssl_context()


def _https_only(request: httpx.Request) -> None:
    # The guard sees only a host and a port when connecting; the scheme is checked here.
    if request.url.scheme != "https":
        raise Refused("Only https URLs are allowed.", code="not_https")


class _Backend(httpcore.NetworkBackend):
    def __init__(self, *, deadline: float, guard: Guard | None) -> None:
        self._deadline = deadline
        self._guard = guard
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            targets = _within(self._deadline, timeout, lambda: self._addresses(host, port))
        except OSError as error:  # the name does not resolve: as unreachable as a refused connection
            raise httpcore.ConnectError(f"{host} could not be resolved: {error}") from error
        last_error: httpcore.ConnectError | None = None
        for target in targets:
            # httpcore's own backend, given an address, connects there without any lookup.
            limit = _left(self._deadline, timeout, httpcore.ConnectTimeout)
            try:
                stream = self._sockets.connect_tcp(target, port, limit, local_address, socket_options)
            except httpcore.ConnectError as error:
                last_error = error
                continue
            return _DeadlineStream(stream, self._deadline)
        raise httpcore.ConnectError(f"{host}:{port} could not be reached: {last_error}")

    def _addresses(self, host: str, port: int) -> list[str]:
        if self._guard is not None:
            return [str(address) for address in self._guard.addresses(host, port)]
        return system_resolver(host, port)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not for outbound requests.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _left(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request's time is up.")
    return left if timeout is None else min(left, timeout)


def _within(deadline: float, timeout: float | None, work: Callable[[], list[str]]) -> list[str]:
    """``work()`` (a lookup), waited for no longer than the deadline allows.

    The OS resolver takes no timeout of ours, so it runs in a thread of its own; one that
    outlives the wait ends on its own with the resolver's timeout, its answer unused.
    """
    limit = _left(deadline, timeout, httpcore.ConnectTimeout)
    answers: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            answers.append(work())
        except BaseException as error:  # handed to the waiting thread, which raises it
            errors.append(error)

    thread = threading.Thread(target=run, name="outbound-resolve", daemon=True)
    thread.start()
    thread.join(limit)
    if errors:
        raise errors[0]
    if not answers:
        raise httpcore.ConnectTimeout("resolving the host took the request's whole time.")
    return answers[0]


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every operation gets at most what is left before the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        limit = _left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, limit), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)
