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
