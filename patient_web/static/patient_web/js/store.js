const NAME = "good-enough";
// Raise with an upgrade step that keeps every record: a new version of the app must never drop
// what an old one queued.
const VERSION = 1;
let opened = null;
function db() {
    opened ??= new Promise((resolve, reject) => {
        const request = indexedDB.open(NAME, VERSION);
        request.onupgradeneeded = () => {
            const database = request.result;
            if (!database.objectStoreNames.contains("records"))
                database.createObjectStore("records", { keyPath: "key" });
            if (!database.objectStoreNames.contains("meta"))
                database.createObjectStore("meta", { keyPath: "name" });
        };
        request.onsuccess = () => {
            // Another tab opening a newer version asks us to step aside; reloading picks up the new code.
            request.result.onversionchange = () => request.result.close();
            resolve(request.result);
        };
        request.onerror = () => reject(request.error);
    });
    return opened;
}
function done(request) {
    return new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
}
async function store(name, mode) {
    return (await db()).transaction(name, mode).objectStore(name);
}
export function keyOf(kind, id) {
    return `${kind}:${id}`;
}
export async function get(kind, id) {
    return (await done((await store("records", "readonly")).get(keyOf(kind, id))));
}
export async function all() {
    return (await done((await store("records", "readonly")).getAll()));
}
export async function save(rec) {
    await done((await store("records", "readwrite")).put(rec));
}
export async function remove(kind, id) {
    await done((await store("records", "readwrite")).delete(keyOf(kind, id)));
}
export async function getMeta(name) {
    const row = (await done((await store("meta", "readonly")).get(name)));
    return row?.value;
}
export async function setMeta(name, value) {
    await done((await store("meta", "readwrite")).put({ name, value }));
}
export async function deleteMeta(name) {
    await done((await store("meta", "readwrite")).delete(name));
}
/** Everything, on sign-out or when another person signs in on this device. */
export async function clear() {
    const database = await db();
    const tx = database.transaction(["records", "meta"], "readwrite");
    tx.objectStore("records").clear();
    tx.objectStore("meta").clear();
    await new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
    });
}
/** A blank record for a new entry with a client-chosen id. */
export function fresh(kind, id = crypto.randomUUID()) {
    return { key: keyOf(kind, id), kind, id, server: null, local: null, op: null, state: "synced", theirs: null, error: null, queuedAt: 0 };
}
/** What the screens show: the patient's pending words over the server's copy. */
export function current(rec) {
    return { ...(rec.server ?? {}), ...(rec.local ?? {}) };
}
