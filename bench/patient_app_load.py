"""The patient's app at /journal/ on a slow 3G line: first load, and second load from the service worker.

Starts the product's web server itself (gunicorn on a free port, as the Procfile does, on a
throwaway ``GOOD_ENOUGH_VAR_DIR`` with SQLite after ``migrate``), then drives Debian's Chromium
with Playwright. Each run is a fresh browser context (no HTTP cache, no service worker):

- first load: ``/journal/`` until the first screen's heading is shown (``main h1`` with text;
  signed out, the "Good Enough" welcome screen), the bytes that crossed the network for the page
  (the sum of CDP ``Network.loadingFinished`` ``encodedDataLength``) and its request count;
- the service worker then installs (it precaches the shell) and takes over the page
  (``navigator.serviceWorker.controller``); the script times that too;
- second load: a reload in the same context, measured alike; the page's requests are answered by
  the worker from its cache, so the bytes from the network should be near zero.

The line is DevTools' "Slow 3G" preset, applied with ``Network.emulateNetworkConditions`` on a
CDP session of the page. That session does not reach the service worker's own fetches (its
precache): those are listed apart, with their durations, to show whether they were throttled.

Two servers, one after the other: ``debug`` (DEBUG=1; whitenoise serves the apps' files as they
are, uncompressed) and ``production`` (DEBUG off with throwaway secrets, ``collectstatic`` first:
hashed names, gzip and Brotli copies that whitenoise picks by ``Accept-Encoding``).

    .venv/bin/python bench/patient_app_load.py
    BENCH_RUNS=5 BENCH_MODES=production .venv/bin/python bench/patient_app_load.py
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MODES = os.environ.get("BENCH_MODES", "debug,production").split(",")

# Chrome DevTools' "Slow 3G" preset, as DevTools itself defines it (devtools-frontend,
# front_end/core/sdk/NetworkManager.ts, ``Slow3GConditions``): "~500Kbps down" as
# ``500 * 1000 / 8 * .8`` bytes/s both ways, and "400ms RTT" as ``latency: 400 * 5``. The 0.8 and
# the 5 are DevTools' adjustments for its throttling being applied per request, above the
# transport (Lighthouse calls them its RTT and throughput adjustment factors): 50,000 bytes/s
# (400 kbit/s) and 2,000 ms of added latency per request.
SLOW_3G = {
    "offline": False,
    "latency": 400 * 5,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}

# Runs in every document before its own scripts: the time (ms since the navigation began, the
# document's ``performance.timeOrigin``) at which ``main h1`` first holds text. Injected through
# CDP, so the page's Content-Security-Policy (script-src 'self') does not apply to it.
HEADING_WATCH = """
(() => {
  const check = () => {
    const heading = document.querySelector("main h1");
    if (heading && heading.textContent.trim() && window.__headingAt === undefined) {
      window.__headingAt = performance.now();
      window.__headingText = heading.textContent.trim();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    window.__controlledAt ??= performance.now();
  });
  // The worker's install (its precache of the shell): when a worker starts installing, and
  // when it has installed, in the same clock.
  const poll = window.setInterval(async () => {
    const registration = await navigator.serviceWorker.getRegistration("/journal/");
    const installing = registration && registration.installing;
    if (!installing || window.__installingAt !== undefined) return;
    window.clearInterval(poll);
    window.__installingAt = performance.now();
    installing.addEventListener("statechange", () => {
      if (installing.state === "installed" || installing.state === "activating") {
        window.__installedAt ??= performance.now();
      }
    });
  }, 10);
})();
"""

HEADING_SHOWN = "() => window.__headingAt !== undefined"
MEASURED = """() => ({
  heading: window.__headingAt,
  text: window.__headingText,
  fcp: (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime ?? null,
  controlled: navigator.serviceWorker.controller !== null,
})"""
INSTALL = "() => [window.__installingAt ?? null, window.__installedAt ?? null]"


@dataclass
class Load:
    heading_ms: float
    fcp_ms: float | None
    network_bytes: int
    network_requests: int
    worker_answered: int
    text: str
    listing: list[tuple[str, int]]


@dataclass
class Run:
    first: Load
    second: Load
    takeover_ms: float  # from the navigation to the page being controlled by the worker
    install_ms: float  # the worker's install: its precache of the shell
    worker_fetches: list[tuple[str, int, float]] = field(default_factory=list)  # url, bytes, ms


class NetworkLog:
    """The page's requests as its CDP session sees them: which came from the network, and their bytes."""

    def __init__(self, session: CDPSession) -> None:
        self.from_worker: set[str] = set()
        self.from_cache: set[str] = set()
        self.finished: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.in_flight: dict[str, str] = {}  # request id -> url
        self.urls: dict[str, str] = {}
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.loadingFailed", lambda event: self.in_flight.pop(event["requestId"], None))
        session.on("Network.responseReceived", self._response)
        session.on("Network.requestServedFromCache", lambda event: self.from_cache.add(event["requestId"]))
        session.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        self.in_flight[event["requestId"]] = self.urls[event["requestId"]] = event["request"]["url"]

    def _response(self, event: dict) -> None:
        response = event["response"]
        # The body of an answer the page never reads (the refresh's 401 on a page the worker
        # controls) may never report loadingFinished: its headers count until it does.
        self.in_flight.pop(event["requestId"], None)
        self.received[event["requestId"]] = int(response.get("encodedDataLength") or 0)
        if response.get("fromServiceWorker"):
            self.from_worker.add(event["requestId"])
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.from_cache.add(event["requestId"])

    def _finished(self, event: dict) -> None:
        self.finished[event["requestId"]] = int(event["encodedDataLength"])
        self.in_flight.pop(event["requestId"], None)

    def settle(self, page: Page, timeout_s: float = 15) -> None:
        """Wait until every request the page made has its answer (the session's events arrive
        while Playwright waits, so this waits in the page rather than in ``time.sleep``)."""
        deadline = time.monotonic() + timeout_s
        while self.in_flight and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        page.wait_for_timeout(500)  # the bodies of answers whose headers are in
        if self.in_flight:
            print(f"    still in flight after {timeout_s} s: {sorted(self.in_flight.values())}", flush=True)

    def reset(self) -> None:
        self.from_worker.clear()
        self.from_cache.clear()
        self.finished.clear()
        self.received.clear()
        self.in_flight.clear()

    def listing(self) -> list[tuple[str, int]]:
        """What crossed the network: each url and its bytes."""
        seen = {**self.received, **self.finished}
        return [
            (self.urls.get(rid, "?"), size)
            for rid, size in seen.items()
            if rid not in self.from_worker and rid not in self.from_cache
        ]

    def totals(self) -> tuple[int, int, int]:
        """Bytes and requests that crossed the network, and requests the worker answered."""
        seen = {**self.received, **self.finished}
        network = [rid for rid in seen if rid not in self.from_worker and rid not in self.from_cache]
        answered = sum(1 for rid in seen if rid in self.from_worker)
        return sum(seen[rid] for rid in network), len(network), answered


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(mode: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["GOOD_ENOUGH_VAR_DIR"] = str(var_dir)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    if mode == "debug":
        env["DEBUG"] = "1"
    else:
        # What a production start needs (tests/backend/test_settings.py), with throwaway secrets;
        # no TLS in front of it here, so no redirect to https.
        env.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            JWT_SIGNING_KEY=secrets.token_urlsafe(50),
            FIELD_ENCRYPTION_KEYS=secrets.token_urlsafe(32),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
        )
    return env


@contextlib.contextmanager
def web_server(mode: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="bench-patient-app-") as var:
        env = server_env(mode, Path(var))
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        if mode != "debug":
            subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        port = free_port()
        command = [str(BIN / "gunicorn"), "backend.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        with open(Path(var) / "gunicorn.log", "wb") as log:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
            try:
                url = f"http://127.0.0.1:{port}"
                wait_until_up(url, server)
                yield url
            finally:
                server.terminate()
                server.wait(timeout=30)


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/journal/", timeout=5) as answer:  # noqa: S310
            if answer.status == 200:  # our own server, just started
                return
        time.sleep(0.25)
    raise RuntimeError("gunicorn did not answer within 60 s")


def measure(page: Page, log: NetworkLog) -> Load:
    page.wait_for_function(HEADING_SHOWN, timeout=120_000)
    seen = page.evaluate(MEASURED)
    # The bytes of the load: what the first screen fetched, including the answer to the token
    # refresh the app asks for before it draws (signed out: a 401), whose body ends after the
    # heading is shown.
    log.settle(page)
    network_bytes, network_requests, answered = log.totals()
    return Load(
        heading_ms=seen["heading"],
        fcp_ms=seen["fcp"],
        network_bytes=network_bytes,
        network_requests=network_requests,
        worker_answered=answered,
        text=seen["text"],
        listing=log.listing(),
    )


def one_run(browser: Browser, url: str) -> Run:
    context = browser.new_context(base_url=url, viewport={"width": 360, "height": 780}, service_workers="allow")
    try:
        worker_fetches: list[tuple[str, int, float]] = []

        def finished(request) -> None:
            if request.service_worker is not None:
                timing = request.timing
                took = timing["responseEnd"] if timing["responseEnd"] > 0 else -1.0
                sizes = request.sizes()
                worker_fetches.append(
                    (request.url.removeprefix(url), sizes["responseBodySize"] + sizes["responseHeadersSize"], took)
                )

        context.on("requestfinished", finished)
        context.add_init_script(HEADING_WATCH)
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": False})
        session.send("Network.emulateNetworkConditions", SLOW_3G)
        log = NetworkLog(session)

        page.goto("/journal/", wait_until="commit", timeout=120_000)
        first = measure(page, log)
        page.wait_for_function("() => window.__controlledAt !== undefined", timeout=120_000)
        takeover_ms = page.evaluate("() => window.__controlledAt")
        page.wait_for_function("() => window.__installedAt !== undefined", timeout=120_000)
        installing_at, installed_at = page.evaluate(INSTALL)
        page.wait_for_timeout(500)  # let the worker's last precache responses be reported

        log.reset()
        page.reload(wait_until="commit", timeout=120_000)
        second = measure(page, log)
        return Run(
            first=first,
            second=second,
            takeover_ms=takeover_ms,
            install_ms=installed_at - installing_at,
            worker_fetches=worker_fetches,
        )
    finally:
        context.close()


def spread(values: list[float], unit: str, width: int = 9, digits: int = 0) -> str:
    med, low, high = statistics.median(values), min(values), max(values)
    return f"{med:{width},.{digits}f} {unit} ({low:,.{digits}f}-{high:,.{digits}f})"


def report(mode: str, runs: list[Run]) -> None:
    print(f"\n{mode}: Slow 3G (2,000 ms latency, 50,000 B/s), {len(runs)} runs, median (min-max)")
    for name, loads in (("first load", [r.first for r in runs]), ("second load", [r.second for r in runs])):
        print(
            f"  {name:<12} heading {spread([x.heading_ms for x in loads], 'ms')}"
            f"   FCP {spread([x.fcp_ms or 0.0 for x in loads], 'ms')}"
            f"   network {spread([float(x.network_bytes) for x in loads], 'B')}"
            f"   requests {spread([float(x.network_requests) for x in loads], '', 3)}"
            f"   from the worker {spread([float(x.worker_answered) for x in loads], '', 3)}"
        )
    print(f"  worker controls the page {spread([r.takeover_ms for r in runs], 'ms')} after navigation")
    print(f"  worker's install (precache) {spread([r.install_ms for r in runs], 'ms')}")
    for name, load in (("first", runs[-1].first), ("second", runs[-1].second)):
        print(f"  the page's requests over the network, {name} load (last run):")
        for address, size in load.listing:
            print(f"    {address.split('/', 3)[-1]:<60} {size:>8,} B")
    fetches = runs[-1].worker_fetches
    if fetches:
        total = sum(size for _, size, _ in fetches)
        print(f"  the worker's own fetches (last run, not seen by the page's session): {len(fetches)}, {total:,} B")
        for path, size, took in fetches:
            print(f"    {path:<60} {size:>8,} B   {took:8.0f} ms")
    print(f"  headings: {sorted({r.first.text for r in runs} | {r.second.text for r in runs})}")


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for mode in MODES:
                with web_server(mode) as url:
                    one_run(browser, url)  # warm-up: the server's first answers, Chromium's start
                    report(mode, [one_run(browser, url) for _ in range(RUNS)])
        finally:
            browser.close()


if __name__ == "__main__":
    main()
