"""The outbound guard: which URLs and addresses a user may make us reach, and the deadline.

The checks by text need no network. The connection tests use real local HTTPS servers under
``push.test`` (a name only the injected resolver knows, so the system resolver cannot stand
in for it), with loopback let through by ``also_allowed`` where a test means to arrive.
"""

from __future__ import annotations

import ipaddress
import time

import httpx
import pytest

from core import outbound
from core.outbound import Guard, Refused
from tests.reminders.servers import TEST_TLS, http_recorder, resolving, silent_server

PUSH_HOSTS = ("fcm.googleapis.com", "*.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com")
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


# --- by the URL's text alone (registration) -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
        "https://web.push.apple.com/QGx1",
        "https://wns2-par02p.notify.windows.com/w/?token=AAA",
        "https://FCM.googleapis.com./fcm/send/abc",  # case and a final dot name the same host
        "https://fcm.googleapis.com:443/fcm/send/abc",
    ],
)
def test_a_known_push_service_url_is_allowed(url):
    assert outbound.url_refusal(url, allowed_hosts=PUSH_HOSTS) is None


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://fcm.googleapis.com/fcm/send/abc", "not_https"),
        ("ftp://fcm.googleapis.com/x", "not_https"),
        ("https://127.0.0.1:8443/push", "host_not_allowed"),
        ("https://169.254.169.254/latest/meta-data/", "host_not_allowed"),
        ("https://[::1]/push", "host_not_allowed"),
        ("https://[::ffff:127.0.0.1]/push", "host_not_allowed"),
        ("https://2130706433/push", "host_not_allowed"),
        ("https://0x7f000001/push", "host_not_allowed"),
        ("https://0177.0.0.1/push", "host_not_allowed"),
        ("https://127.1/push", "host_not_allowed"),
        ("https://metadata.google.internal/computeMetadata/v1/", "host_not_allowed"),
        ("https://push.example.test/abc", "host_not_allowed"),
        ("https://push.services.mozilla.com/x", "host_not_allowed"),  # *.name is not name itself
        ("https://fcm.googleapis.com.evil.test/x", "host_not_allowed"),
        ("https://evilfcm.googleapis.com/x", "host_not_allowed"),
        ("https://fcm.googleapis.com@127.0.0.1/x", "host_not_allowed"),
        ("https://127.0.0.1\\@fcm.googleapis.com/x", "host_not_allowed"),
        ("https:///no-host", "host_not_allowed"),
        ("https://fcm.googleapis.com:notaport/x", "not_https"),
    ],
)
def test_a_url_off_the_list_or_not_https_is_refused_without_a_lookup(url, code):
    refusal = outbound.url_refusal(url, allowed_hosts=PUSH_HOSTS)
    assert refusal is not None
    assert refusal.code == code


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.0.9",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "::",
        "::1",
        "fe80::1",
        "fd00::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::7f00:1",  # IPv4-compatible, deprecated
        "2001:db8::1",
    ],
)
def test_an_address_that_is_not_public_unicast_is_refused(address):
    assert outbound.address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "142.250.180.10", "2a00:1450:4001:82b::200a", "64:ff9b::808:808"])
def test_a_public_address_is_allowed(address):
    assert outbound.address_refusal(ipaddress.ip_address(address)) is None


# --- when connecting ------------------------------------------------------------------------


@pytest.fixture
def push_service():
    with http_recorder(tls=True) as server:
        server.answer(201)
        yield server


def post(url: str, guard: Guard | None, *, seconds: float = 2.0) -> httpx.Response:
    with outbound.client(seconds=seconds, guard=guard, verify=TEST_TLS.client_context()) as http:
        return http.post(url, content=b"encrypted", headers={"ttl": "60"})


def test_a_listed_name_at_an_allowed_address_is_reached_over_verified_tls(push_service):
    guard = Guard(("push.test",), resolver=resolving({"push.test": ["127.0.0.1"]}), also_allowed=LOOPBACK)
    response = post(f"{push_service.https_url()}/push/1", guard)
    assert response.status_code == 201
    [request] = push_service.received
    assert (request.path, request.body) == ("/push/1", b"encrypted")
    assert request.headers["host"] == f"push.test:{push_service.port}"


@pytest.mark.parametrize(
    "answers",
    [
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["10.0.0.7"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["100.100.100.200"],
        ["8.8.8.8", "127.0.0.1"],  # every address is checked, not only the first
    ],
)
def test_a_listed_name_that_resolves_to_an_internal_address_is_not_connected_to(push_service, answers):
    guard = Guard(("push.test",), resolver=resolving({"push.test": answers}))
    with pytest.raises(Refused) as refused:
        post(f"{push_service.https_url()}/push/1", guard)
    assert refused.value.code == "address_not_allowed"
    assert push_service.received == []


def test_an_unlisted_name_is_not_even_resolved(push_service):
    calls: list[str] = []
    guard = Guard(("fcm.googleapis.com",), resolver=resolving({"push.test": ["127.0.0.1"]}, calls))
    with pytest.raises(Refused, match="not an allowed host"):
        post(f"{push_service.https_url()}/push/1", guard)
    assert (calls, push_service.received) == ([], [])


def test_plain_http_is_refused_even_to_a_listed_name(push_service):
    guard = Guard(("push.test",), resolver=resolving({"push.test": ["127.0.0.1"]}), also_allowed=LOOPBACK)
    with pytest.raises(Refused) as refused:
        post(f"http://push.test:{push_service.port}/push/1", guard)
    assert refused.value.code == "not_https"


def test_the_connection_goes_to_the_address_that_was_checked_not_to_a_second_answer(push_service):
    # A rebinding resolver: the checked answer first, something else on any later question.
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["169.254.169.254"], ["169.254.169.254"]])

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    guard = Guard(("push.test",), resolver=rebinding, also_allowed=LOOPBACK)
    assert post(f"{push_service.https_url()}/push/1", guard).status_code == 201
    assert calls == ["push.test"]  # and no other lookup: the system resolver does not know push.test


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_an_internal_address_is_not_followed(push_service, status):
    with http_recorder() as internal:
        push_service.answer(status, headers={"Location": f"{internal.url}/admin/secrets"})
        guard = Guard(("push.test",), resolver=resolving({"push.test": ["127.0.0.1"]}), also_allowed=LOOPBACK)
        response = post(f"{push_service.https_url()}/push/1", guard)
        assert response.status_code == status
        assert internal.received == []


def test_a_server_that_accepts_and_never_answers_costs_at_most_the_bound():
    with silent_server() as port:
        guard = Guard(("push.test",), resolver=resolving({"push.test": ["127.0.0.1"]}), also_allowed=LOOPBACK)
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            post(f"https://push.test:{port}/push/1", guard, seconds=0.5)
        assert time.monotonic() - started < 2.0


def test_a_server_that_answers_one_byte_at_a_time_is_cut_off_at_the_bound(push_service):
    # Each byte arrives well within any per-read timeout; only a deadline on the whole request stops it.
    push_service.answer(200, body=b"x" * 200, trickle=0.05)
    guard = Guard(("push.test",), resolver=resolving({"push.test": ["127.0.0.1"]}), also_allowed=LOOPBACK)
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        post(f"{push_service.https_url()}/push/1", guard, seconds=0.6)
    assert time.monotonic() - started < 2.5


def test_without_a_guard_an_operator_url_is_reached_within_the_same_deadline():
    with http_recorder() as hook:
        hook.answer(200, body=b"x" * 200, trickle=0.05)
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            post(f"{hook.url}/hooks", None, seconds=0.6)
        assert time.monotonic() - started < 2.5
        hook.answer(204)
        assert post(f"{hook.url}/hooks", None).status_code == 204


def test_a_name_that_does_not_resolve_is_a_connection_error_not_a_crash():
    guard = Guard(("push.test",), resolver=resolving({}))
    with pytest.raises(httpx.ConnectError):
        post("https://push.test:9/push/1", guard)


def test_a_resolver_that_hangs_costs_at_most_the_bound(push_service):
    def hanging(host: str, port: int) -> list[str]:
        time.sleep(5)
        return ["127.0.0.1"]

    guard = Guard(("push.test",), resolver=hanging, also_allowed=LOOPBACK)
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        post(f"{push_service.https_url()}/push/1", guard, seconds=0.4)
    assert time.monotonic() - started < 2.0
    assert push_service.received == []
