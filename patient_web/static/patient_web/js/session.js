/**
 * Who is signed in on this device. The user record (not a credential) is kept in IndexedDB so
 * that the app opens offline as its patient; the access token lives only in `api.ts`'s memory
 * and the refresh token in an HttpOnly cookie.
 */
import * as api from "./api.js";
import * as push from "./push.js";
import * as store from "./store.js";
export let user = null;
export let online = true;
/**
 * At start, from this device alone: the patient who last signed in here, if any. The journal
 * is drawn from IndexedDB at once; `confirm()` then asks the server, so that a slow network
 * delays nothing the patient sees (on a slow 3G line the cookie's trade alone takes seconds).
 */
export async function start() {
    user = (await store.getMeta("me")) ?? null;
    return user !== null;
}
/** Trade the cookie for an access token and refresh the user record. */
export async function confirm() {
    try {
        await api.refresh();
        await remember(await api.me());
        online = true;
        return "signed-in";
    }
    catch (error) {
        if (error instanceof api.Offline) {
            online = false;
            return "offline";
        }
        if (error instanceof api.SignedOut)
            return "signed-out";
        throw error;
    }
}
/** After a sign-in: another person's copy on this device goes; the same person's stays. */
export async function remember(me) {
    const cached = await store.getMeta("me");
    if (cached && cached.id !== me.id)
        await store.clear();
    await store.setMeta("me", me);
    user = me;
}
/** Stop showing the journal (the server no longer accepts this device's sign-in). */
export function hide() {
    user = null;
}
export async function signOut() {
    // Reminders stop coming to this browser: its subscription goes, here and on the server.
    try {
        await push.disable();
    }
    catch {
        // Offline, or signed out already (everywhere, or erased): the server drops the device itself.
    }
    await api.signOut();
    await store.clear();
    user = null;
}
export function zone() {
    return user?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
export function setOnline(value) {
    online = value;
}
