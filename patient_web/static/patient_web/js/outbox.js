/**
 * Sending what the patient wrote, and reading what changed elsewhere.
 *
 * Out: each pending record leaves by `PUT /{id}/` with the client's UUID and `If-Match` on the
 * version it was written over, oldest first. A PUT is idempotent: a retry after a lost answer
 * finds its own entry, so each write reaches the server exactly once however often the network
 * drops. A 412 (changed on another device) or a 409 (another entry already holds that day or
 * week) becomes a conflict the patient settles with both versions in front of them; nothing is
 * overwritten silently.
 *
 * In: `GET /sync/` from the saved cursor; a tombstone deletes locally. A record with a pending
 * write keeps its words: the server's copy is noted under it, and the If-Match decides.
 */
import * as api from "./api.js";
import * as store from "./store.js";
const listeners = new Set();
/** Screens redraw when the store changed underneath them. */
export function onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
}
function changed() {
    for (const listener of listeners)
        listener();
}
/** The fields a client may write, by kind: a read-only one in a PUT is a 400. */
const WRITABLE = {
    reflection: ["date", "effort", "kind_words", "mood", "shared", "commitment"],
    pride_entry: ["week", "items", "note", "shared", "commitment"],
    experiment: ["title", "planned_for", "worry", "outcome", "learned", "kind_words", "status", "shared", "commitment"],
    commitment: ["status"],
};
const safetyListeners = new Set();
/** Called when a write's answer carries help to show (its words sounded like crisis): at once
 * when online, or when a write made offline is sent. */
export function onSafety(listener) {
    safetyListeners.add(listener);
    return () => safetyListeners.delete(listener);
}
/** An entry as a body to send: its writable fields only. */
export function bodyOf(kind, entry) {
    const body = {};
    for (const name of WRITABLE[kind]) {
        const value = entry[name];
        if (value !== undefined)
            body[name] = value;
    }
    return body;
}
/** Queue a write: stored at once, sent when it can be. Answers the record's id. */
export async function write(kind, id, body, op = "put") {
    const rec = (await store.get(kind, id)) ?? store.fresh(kind, id);
    // A PUT carries the whole entry (a create and an update look the same to the server): what
    // the server has, what is already waiting, then this change.
    rec.local = { ...bodyOf(kind, rec.server ?? {}), ...(rec.local ?? {}), ...body };
    rec.op = op;
    if (rec.state !== "pending")
        rec.queuedAt = Date.now();
    rec.state = "pending";
    rec.error = null;
    await store.save(rec);
    changed();
    void flush();
    return id;
}
/** Delete an entry: at once when it never reached the server, else queued like a write. */
export async function erase(kind, id) {
    const rec = await store.get(kind, id);
    if (!rec)
        return;
    if (!rec.server) {
        await store.remove(kind, id);
    }
    else {
        rec.op = "delete";
        rec.state = "pending";
        rec.queuedAt = Date.now();
        await store.save(rec);
    }
    changed();
    void flush();
}
/** How many changes from elsewhere the last pull brought in (a screen not being edited redraws). */
export let pulled = 0;
/** How the last attempt to reach the server went: the header says so. */
export let reach = "ok";
let running = null;
let again = false;
/** Send every pending write, then read what changed. Safe to call any time, from anywhere. */
export function flush() {
    if (running) {
        again = true;
        return running;
    }
    running = (async () => {
        try {
            pulled = 0;
            do {
                again = false;
                await pushAll();
                await pull();
            } while (again);
            reach = "ok";
        }
        catch (error) {
            if (error instanceof api.Offline)
                reach = "offline";
            else if (error instanceof api.SignedOut)
                reach = "signed-out";
            else
                throw error;
        }
        finally {
            running = null;
            retryIfOnline();
            changed();
        }
    })();
    return running;
}
let retryDelay = 2_000;
let retryTimer;
/**
 * The browser says it is online but the server did not answer (a network still coming up, a
 * server restarting): try again soon, then less and less often, rather than a minute later.
 */
function retryIfOnline() {
    window.clearTimeout(retryTimer);
    if (reach !== "offline" || !navigator.onLine) {
        retryDelay = 2_000;
        return;
    }
    retryTimer = window.setTimeout(() => void flush(), retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60_000);
}
async function pushAll() {
    const pending = (await store.all()).filter((r) => r.state === "pending").sort((a, b) => a.queuedAt - b.queuedAt);
    for (const rec of pending) {
        await push(rec);
    }
}
function sameWords(local, theirs) {
    if (!local)
        return true;
    return Object.entries(local).every(([name, value]) => JSON.stringify(value) === JSON.stringify(theirs[name]));
}
async function push(rec) {
    try {
        if (rec.op === "delete") {
            try {
                await api.deleteEntry(rec.kind, rec.id);
            }
            catch (error) {
                if (!(error instanceof api.ApiError && error.status === 404))
                    throw error;
            }
            await store.remove(rec.kind, rec.id);
            return;
        }
        let saved;
        if (rec.kind === "commitment") {
            const id = rec.id;
            saved = (rec.op === "confirm"
                ? await api.confirmCommitment(id)
                : await api.patchCommitment(id, rec.local));
        }
        else {
            const kind = rec.kind;
            const answer = await api.putEntry(kind, rec.id, rec.local, rec.server?.version);
            saved = answer.entry;
            if (answer.safety)
                safetyListeners.forEach((listener) => listener(answer.safety));
        }
        Object.assign(rec, { server: saved, local: null, op: null, state: "synced", theirs: null, error: null });
        await store.save(rec);
    }
    catch (error) {
        if (!(error instanceof api.ApiError))
            throw error;
        await refused(rec, error);
    }
}
async function refused(rec, error) {
    if (error.status === 412) {
        // Changed on another device since this one last saw it.
        const theirs = await api.getEntry(rec.kind, rec.id);
        if (sameWords(rec.local, theirs)) {
            // Our own earlier write, whose answer was lost: nothing to choose between.
            Object.assign(rec, { server: theirs, local: null, op: null, state: "synced", theirs: null });
        }
        else {
            Object.assign(rec, { state: "conflict", theirs });
        }
    }
    else if (error.status === 409 && typeof error.body.existing_id === "string") {
        // Another device wrote this day or week first, under its own id.
        const theirs = await api.getEntry(rec.kind, error.body.existing_id);
        Object.assign(rec, { state: "conflict", theirs });
    }
    else if (error.status === 404 && rec.server) {
        // Deleted on another device while this one edited it: keep the words as a new entry.
        await store.remove(rec.kind, rec.id);
        const copy = store.fresh(rec.kind);
        const words = { ...bodyOf(rec.kind, rec.server), ...(rec.local ?? {}) };
        Object.assign(copy, { local: words, op: "put", state: "pending", queuedAt: rec.queuedAt });
        await store.save(copy);
        again = true;
        return;
    }
    else if (error.status === 401 || error.status === 429 || error.status >= 500) {
        throw new api.Offline(error.message);
    }
    else {
        Object.assign(rec, { state: "refused", error: error.message });
    }
    await store.save(rec);
}
/** Settle a conflict: keep the words from this device, or the server's. */
export async function settle(kind, id, keep) {
    const rec = await store.get(kind, id);
    if (!rec?.theirs)
        return id;
    const theirs = rec.theirs;
    if (keep === "theirs") {
        await store.remove(kind, id);
        await store.save({ ...store.fresh(kind, theirs.id), server: theirs });
    }
    else if (theirs.id === id) {
        Object.assign(rec, { server: theirs, theirs: null, state: "pending", queuedAt: Date.now() });
        await store.save(rec);
    }
    else {
        // Ours goes onto the entry the server already has for that day or week.
        await store.remove(kind, id);
        await store.save({ ...store.fresh(kind, theirs.id), server: theirs, local: rec.local, op: "put", state: "pending", queuedAt: Date.now() });
    }
    changed();
    void flush();
    return theirs.id;
}
async function pull() {
    let cursor = (await store.getMeta("cursor")) ?? null;
    for (;;) {
        const page = await api.syncPage(cursor);
        for (const change of page.changes) {
            pulled += 1;
            await apply(change.type, change.id, change.deleted ? null : change.data);
        }
        cursor = page.cursor;
        await store.setMeta("cursor", cursor);
        if (!page.has_more)
            break;
    }
}
async function apply(kind, id, data) {
    const rec = await store.get(kind, id);
    if (data === null) {
        if (rec && rec.state === "pending" && rec.op !== "delete") {
            rec.server = null; // deleted elsewhere; the pending words will be sent as a new entry
            await store.save(rec);
        }
        else if (rec) {
            await store.remove(kind, id);
        }
        return;
    }
    if (!rec) {
        await store.save({ ...store.fresh(kind, id), server: data });
    }
    else if (rec.state === "synced" || rec.state === "refused") {
        rec.server = data;
        await store.save(rec);
    }
    // A pending write keeps its words and its If-Match on the version it was written over: if
    // this change is someone else's, the PUT answers 412 and the patient chooses.
}
