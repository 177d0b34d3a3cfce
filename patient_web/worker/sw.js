"use strict";
const worker = self;
const CACHE = `shell-${SHELL.version}`;
worker.addEventListener("install", (event) => {
    event.waitUntil((async () => {
        const cache = await caches.open(CACHE);
        // "reload": straight from the server, not from an HTTP cache holding the old version.
        await cache.addAll(SHELL.files.map((url) => new Request(url, { cache: "reload" })));
        await worker.skipWaiting();
    })());
});
worker.addEventListener("activate", (event) => {
    event.waitUntil((async () => {
        for (const name of await caches.keys()) {
            if (name.startsWith("shell-") && name !== CACHE)
                await caches.delete(name);
        }
        await worker.clients.claim();
    })());
});
worker.addEventListener("fetch", (event) => {
    const request = event.request;
    if (request.method !== "GET")
        return;
    const url = new URL(request.url);
    if (url.origin !== worker.location.origin || url.pathname.startsWith("/api/"))
        return;
    if (request.mode === "navigate" && url.pathname.startsWith("/journal/")) {
        // Every screen of the app is the same page; the app reads the path.
        event.respondWith(fromShell(SHELL.page, request));
    }
    else if (SHELL.files.includes(url.pathname + url.search)) {
        event.respondWith(fromShell(url.pathname + url.search, request));
    }
});
async function fromShell(key, request) {
    const cached = await caches.match(key, { cacheName: CACHE });
    return cached ?? fetch(request);
}
/** The screen a reminder opens, by its kind (`reminders.Reminder.Kind`). */
const OPENS = {
    reflection_daily: "/journal/today",
    pride_weekly: "/journal/week",
    experiment_day: "/journal/experiments",
    experiment_follow_up: "/journal/experiments",
};
// A reminder shows the server's gentle words and nothing else: the payload never carries
// journal text, so nothing personal reaches a lock screen.
worker.addEventListener("push", (event) => {
    let reminder = {};
    try {
        reminder = (event.data?.json() ?? {});
    }
    catch {
        reminder = {};
    }
    const kind = reminder.data?.kind ?? "";
    const experiment = reminder.data?.experiment_id;
    const url = experiment ? `/journal/experiments?id=${encodeURIComponent(experiment)}` : (OPENS[kind] ?? "/journal/today");
    event.waitUntil(worker.registration.showNotification(reminder.title || "Good Enough", {
        body: reminder.body ?? "",
        tag: reminder.tag,
        icon: SHELL.files.find((file) => file.includes("icon-192")),
        data: { url },
    }));
});
worker.addEventListener("notificationclick", (event) => {
    event.notification.close();
    const url = new URL(event.notification.data?.url ?? "/journal/today", worker.location.origin).href;
    event.waitUntil((async () => {
        for (const client of await worker.clients.matchAll({ type: "window", includeUncontrolled: true })) {
            if (new URL(client.url).pathname.startsWith("/journal/") && "navigate" in client) {
                await client.focus();
                await client.navigate(url);
                return;
            }
        }
        await worker.clients.openWindow(url);
    })());
});
