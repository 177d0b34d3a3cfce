"""Reminders in the patient's app: times and days, quiet hours, and Web Push end to end.

Headless Chromium reaches no push service, so the test stands in for the browser's push
subscription (``pushManager.subscribe``, stubbed in the page before it loads) with keys of its
own, at an HTTPS push-service stub on this machine. Everything else is real: the app registers
the subscription through the API, the dispatcher and the send service push the reminder through
the Web Push channel (encrypted, VAPID-signed) to the stub, the test decrypts it with the
subscription's keys, and the DevTools protocol's ``ServiceWorker.deliverPushMessage`` hands it to
the app's real service worker, whose notification is then read back.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from backend import env
from reminders import channels, sending
from reminders.dispatcher import dispatch_due
from reminders.models import Device, Reminder
from tests.factories import PASSWORD, PatientFactory, ReflectionFactory
from tests.patient_web.browser import journal
from tests.patient_web.browser.test_screens import shoot
from tests.reminders.helpers import a_reminder
from tests.reminders.servers import TEST_TLS, http_recorder, resolving
from tests.reminders.test_channels import Browser as Subscription

pytestmark = pytest.mark.browser

#: Put before the app's scripts: ``subscribe`` answers the test's subscription, as a browser would
#: answer its push service's; ``unsubscribe`` forgets it.
STUB = """
(() => {
  let current = null;
  const subscription = (json) => ({
    endpoint: json.endpoint,
    toJSON: () => json,
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function () { current = subscription(%s); return current; };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""


@pytest.fixture
def river(transactional_db, clock) -> User:
    return PatientFactory(email="river@example.test", display_name="River", timezone="Europe/London")


@pytest.fixture
def push_service(settings, monkeypatch):
    """Web Push configured, and an HTTPS push service at ``push.test`` on this machine."""
    settings.WEBPUSH_VAPID_PRIVATE_KEY = env.new_vapid_private_key()
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:care@good-enough.test"
    settings.WEBPUSH_ALLOWED_HOSTS = ["push.test"]
    settings.OUTBOUND_ALSO_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.FCM_SERVICE_ACCOUNT = None
    settings.REMINDER_CHANNEL_PUSH_URL = None
    settings.REMINDER_WEBHOOK_URL = None
    settings.EMAIL_URL = None
    monkeypatch.setattr(channels, "web_push_resolver", resolving({"push.test": ["127.0.0.1"]}))
    monkeypatch.setattr(channels, "web_push_tls", TEST_TLS.client_context())
    with http_recorder(tls=True) as server:
        server.answer(201)
        yield server


def to_reminders(page) -> None:
    page.get_by_role("link", name="Account").click()
    journal.screen(page, "Account")
    page.get_by_role("link", name="Times, days, quiet hours, and reminders on this device").click()
    journal.screen(page, "Reminders")


def on_reminders_with_push(new_tab, river, push_service, live_server):
    """River on the Reminders screen of a browser allowed to notify, whose push subscription
    (the stub's) is at the local push service: the page and the subscription's keys."""
    subscription = Subscription(f"{push_service.https_url()}/push/river")
    page = new_tab()
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(STUB % json.dumps(subscription.subscription))
    journal.signed_in(page, email=river.email, password=PASSWORD)
    to_reminders(page)
    return page, subscription


def test_a_reminders_time_days_and_the_quiet_hours_are_changed_in_the_app(new_tab, river, screenshots_dir):
    reminder = a_reminder(river, at="20:00", now=timezone.now())
    page = new_tab()
    journal.signed_in(page, email=river.email, password=PASSWORD)
    to_reminders(page)
    shoot(page, screenshots_dir, "reminders")
    card = page.locator("form.reminder")
    card.get_by_label("At", exact=True).fill("21:30")
    card.get_by_label("Sun", exact=True).uncheck()
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_contain_text("at 21:30")
    reminder.refresh_from_db()
    assert (reminder.local_time.isoformat(), reminder.weekdays) == ("21:30:00", [1, 2, 3, 4, 5, 6])

    for day in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]:
        card.get_by_label(day, exact=True).uncheck()
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_text("Choose at least one day, or turn this reminder off.")).to_be_visible()
    journal.check(page)

    quiet = page.locator("form.reminder-settings")
    quiet.get_by_label("Quiet from").fill("22:00")
    quiet.get_by_role("button", name="Save").click()
    expect(quiet.get_by_text("Give both times, or neither.")).to_be_visible()
    quiet.get_by_label("Quiet until").fill("07:00")
    quiet.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("Saved.")
    river.reminder_settings.refresh_from_db()
    assert (river.reminder_settings.quiet_start.isoformat(), river.reminder_settings.quiet_end.isoformat()) == (
        "22:00:00",
        "07:00:00",
    )


def test_a_reminder_reaches_the_service_worker_by_web_push_with_no_journal_text(
    new_tab, river, push_service, live_server
):
    ReflectionFactory(patient=river, effort="Burnt the sauce and laughed", now=timezone.now() - timedelta(days=1))
    a_reminder(river, at="20:00", now=timezone.now() - timedelta(days=1))
    page, subscription = on_reminders_with_push(new_tab, river, push_service, live_server)
    assert not Device.objects.exists()  # nothing was asked, nothing registered, on the way here

    page.get_by_role("button", name="Remind me on this device").click()
    expect(page.locator("#status")).to_have_text("Reminders will come to this device.")
    [device] = Device.objects.filter(user=river)
    assert (device.platform, json.loads(device.token)) == ("web", subscription.subscription)

    # The reminder falls due: the dispatcher and the send service push it through Web Push.
    Reminder.objects.update(next_fire_at=timezone.now())
    enqueued: list[str] = []
    dispatch_due(now=timezone.now(), enqueue=enqueued.extend)
    [delivery_id] = enqueued
    assert sending.delivery_send(delivery_id=delivery_id, now=timezone.now()).sent
    [request] = push_service.received
    assert request.headers["content-encoding"] == "aes128gcm"
    payload = subscription.decrypt(request.body)
    assert "Burnt the sauce" not in json.dumps(payload)

    # The push service hands it to the browser: the app's own service worker shows it.
    devtools = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    devtools.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    devtools.send("ServiceWorker.enable")
    journal.until(page, "() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_timeout(200)
    [registration] = [r for r in registrations if r["scopeURL"].endswith("/journal/") and not r["isDeleted"]][:1]
    devtools.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration["registrationId"], "data": json.dumps(payload)},
    )
    shown_js = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
        .map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url}))"""
    journal.until(page, f"async () => ({shown_js})().then((shown) => shown.length === 1)")
    [shown] = page.evaluate(shown_js)
    assert (shown["title"], shown["body"], shown["tag"]) == (payload["title"], payload["body"], payload["tag"])
    assert shown["url"] == "/journal/today"  # a daily reminder's tap opens Today
    assert "Burnt the sauce" not in json.dumps(shown)

    page.get_by_role("button", name="Stop reminders on this device").click()
    expect(page.locator("#status")).to_have_text("Reminders stopped on this device.")
    assert not Device.objects.filter(user=river).exists()


def test_a_subscription_the_push_service_called_gone_shows_as_off_and_can_be_turned_on_again(
    new_tab, river, push_service, live_server
):
    page, _ = on_reminders_with_push(new_tab, river, push_service, live_server)
    page.get_by_role("button", name="Remind me on this device").click()
    expect(page.get_by_role("button", name="Stop reminders on this device")).to_be_visible()

    # A reminder is sent, and the push service answers that this subscription is gone.
    push_service.answer(410)
    a_reminder(river, at="20:00", now=timezone.now() - timedelta(days=1))
    Reminder.objects.update(next_fire_at=timezone.now())
    enqueued: list[str] = []
    dispatch_due(now=timezone.now(), enqueue=enqueued.extend)
    sending.delivery_send(delivery_id=enqueued[0], now=timezone.now())
    assert not Device.objects.get(user=river).active
    page.reload()
    journal.screen(page, "Reminders")
    expect(page.get_by_role("button", name="Remind me on this device")).to_be_visible()
    page.get_by_role("button", name="Remind me on this device").click()
    expect(page.locator("#status")).to_have_text("Reminders will come to this device.")
    assert Device.objects.get(user=river).active  # registering again turns it back on
