const ITEM_PATH = {
    reflection: "/api/v1/reflections/{id}/",
    pride_entry: "/api/v1/pride-entries/{id}/",
    experiment: "/api/v1/experiments/{id}/",
    commitment: "/api/v1/commitments/{id}/",
};
/** The server said no: its status and the contract's error body. */
export class ApiError extends Error {
    status;
    errors;
    body;
    constructor(status, errors, body = {}) {
        super(errors.map((e) => e.detail).join(" ") || `The server answered ${status}.`);
        this.status = status;
        this.errors = errors;
        this.body = body;
    }
    has(code) {
        return this.errors.some((e) => e.code === code);
    }
}
/** No answer at all: offline, or the server unreachable. */
export class Offline extends Error {
}
/** The refresh cookie is gone or spent: the patient must sign in again. */
export class SignedOut extends Error {
}
let access = null;
let refreshing = null;
export function signedIn() {
    return access !== null;
}
async function send(method, path, body, ifMatch) {
    const headers = { Accept: "application/json" };
    if (body !== undefined)
        headers["Content-Type"] = "application/json";
    if (access)
        headers.Authorization = `Bearer ${access}`;
    if (ifMatch !== undefined)
        headers["If-Match"] = `"${ifMatch}"`;
    try {
        return await fetch(path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: "same-origin",
            cache: "no-store",
        });
    }
    catch {
        throw new Offline("No connection.");
    }
}
async function parse(response) {
    const text = await response.text();
    let data = null;
    try {
        data = text ? JSON.parse(text) : null;
    }
    catch {
        data = null;
    }
    if (response.ok)
        return { status: response.status, data: data };
    const body = (data ?? {});
    const errors = Array.isArray(body.errors) ? body.errors : [];
    throw new ApiError(response.status, errors, (data ?? {}));
}
/** A call with the access token, its raw response; on 401 the cookie is traded once for a new one. */
async function answered(method, path, body, ifMatch) {
    let response = await send(method, path, body, ifMatch);
    if (response.status === 401 && !path.startsWith("/api/v1/auth/")) {
        await refresh();
        response = await send(method, path, body, ifMatch);
    }
    if (response.status === 503) {
        throw new Offline("The server is busy; we will try again shortly.");
    }
    return response;
}
/** A call with the access token, its JSON answer (an error status thrown as `ApiError`). */
async function call(method, path, body, ifMatch) {
    return parse(await answered(method, path, body, ifMatch));
}
/**
 * Trade the HttpOnly cookie for an access token: one trade at a time however many callers, and
 * across this browser's tabs too (a Web Lock), since each trade spends the cookie the others hold.
 */
export function refresh() {
    const trade = async () => {
        try {
            const response = await send("POST", "/api/v1/auth/web/token/refresh/", {});
            if (response.status === 401 || response.status === 403) {
                access = null;
                throw new SignedOut("Please sign in again.");
            }
            const answer = await parse(response);
            access = answer.data.access;
        }
        finally {
            refreshing = null;
        }
    };
    const pending = refreshing ??
        ("locks" in navigator ? navigator.locks.request("good-enough-refresh", trade).then(() => undefined) : trade());
    refreshing = pending;
    return pending;
}
export async function signIn(email, password, code) {
    const body = code ? { email, password, code } : { email, password };
    const answer = await parse(await send("POST", "/api/v1/auth/web/token/", body));
    access = answer.data.access;
}
export async function register(body) {
    return (await parse(await send("POST", "/api/v1/auth/register/", body)))
        .data;
}
export async function signOut() {
    access = null;
    try {
        await send("POST", "/api/v1/auth/web/logout/", {});
    }
    catch {
        // Offline: the cookie is still cleared by the next sign-in; nothing here is readable anyway.
    }
}
export async function me() {
    return (await call("GET", "/api/v1/me/")).data;
}
export async function progress(weeks) {
    return (await call("GET", `/api/v1/progress/?weeks=${weeks}`)).data;
}
export async function syncPage(cursor) {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    return (await call("GET", `/api/v1/sync/${query}`)).data;
}
function itemPath(kind, id) {
    return ITEM_PATH[kind].replace("{id}", encodeURIComponent(id));
}
export async function getEntry(kind, id) {
    return (await call("GET", itemPath(kind, id))).data;
}
/** Create (201) or replace (200) by the client's id; `version` makes it conditional (412 if stale).
 * Answers the entry, and `safety` when its words sound like they were written in crisis. */
export async function putEntry(kind, id, body, version) {
    const { safety = null, ...entry } = (await call("PUT", itemPath(kind, id), body, version)).data;
    return { entry: entry, safety };
}
/** Crisis lines for a country, else for the country of a time zone (neither: the statements
 * only). No sign-in: it works signed out too. */
export async function crisisResources(where) {
    const query = new URLSearchParams();
    if (where.country)
        query.set("country", where.country);
    if (where.timezone)
        query.set("timezone", where.timezone);
    const text = query.toString();
    const response = await send("GET", `/api/v1/crisis-resources/${text ? `?${text}` : ""}`);
    return (await parse(response)).data;
}
/** Ask the therapist to check in: no words. The same request while it is unseen. */
export async function requestCheckIn() {
    return (await call("POST", "/api/v1/check-ins/")).data;
}
export async function checkIns() {
    return (await call("GET", "/api/v1/check-ins/?page_size=5")).data.results;
}
export async function deleteEntry(kind, id) {
    await call("DELETE", itemPath(kind, id));
}
export async function patchCommitment(id, body, version) {
    return (await call("PATCH", itemPath("commitment", id), body, version)).data;
}
export async function confirmCommitment(id) {
    const path = "/api/v1/commitments/{id}/confirm/";
    return (await call("POST", path.replace("{id}", encodeURIComponent(id)))).data;
}
export async function careLinks() {
    return (await call("GET", "/api/v1/care-links/")).data.results;
}
export async function join(code, shareEntries) {
    const body = { code, share_entries: shareEntries };
    return (await call("POST", "/api/v1/care-links/", body)).data;
}
export async function updateMe(body) {
    return (await call("PATCH", "/api/v1/me/", body)).data;
}
/** A new password; the server keeps this device signed in and ends every other. */
export async function changePassword(body) {
    await call("POST", "/api/v1/auth/password/change/", body);
}
/** Every device and browser of the patient signs in again, this one too. */
export async function logoutEverywhere() {
    await call("POST", "/api/v1/auth/logout-everywhere/", {});
    access = null;
}
/** Ask for a reset e-mail: the same answer whether or not the address has an account. */
export async function requestPasswordReset(email) {
    const body = { email };
    await parse(await send("POST", "/api/v1/auth/password/reset/", body));
}
export async function confirmPasswordReset(body) {
    await parse(await send("POST", "/api/v1/auth/password/reset/confirm/", body));
}
/** Everything the server holds of the patient, as the JSON document it gives, and its file name. */
export async function exportAccount() {
    const response = await answered("GET", "/api/v1/me/export/");
    if (!response.ok)
        await parse(response);
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "good-enough-export.json";
    return { blob: await response.blob(), name };
}
/** Erase the account and everything in it; the password is asked again. */
export async function eraseAccount(password) {
    const body = { password };
    await call("DELETE", "/api/v1/me/", body);
    access = null;
}
/** Share this link's entries or not (conditional on the version the patient saw). */
export async function updateCareLink(id, shareEntries, version) {
    const path = "/api/v1/care-links/{id}/";
    const body = { share_entries: shareEntries };
    return (await call("PATCH", path.replace("{id}", encodeURIComponent(id)), body, version)).data;
}
/** Who read what of the patient's, newest first: the first page (`pageSize` reads). */
export async function accessLog(pageSize = 100) {
    const path = "/api/v1/me/access-log/";
    return (await call("GET", `${path}?page_size=${pageSize}`)).data.results;
}
export async function reminders() {
    return (await call("GET", "/api/v1/reminders/?page_size=100")).data.results;
}
export async function updateReminder(id, body, version) {
    const path = "/api/v1/reminders/{id}/";
    return (await call("PATCH", path.replace("{id}", encodeURIComponent(id)), body, version)).data;
}
export async function reminderSettings() {
    return (await call("GET", "/api/v1/reminders/settings/")).data;
}
export async function replaceReminderSettings(body, version) {
    return (await call("PUT", "/api/v1/reminders/settings/", body, version)).data;
}
/** The server's VAPID public key, or null when it sends no Web Push. */
export async function webPushKey() {
    return (await call("GET", "/api/v1/devices/web-push/")).data.public_key;
}
export async function registerDevice(body) {
    const answer = await call("POST", "/api/v1/devices/", body);
    return answer.data;
}
export async function deleteDevice(id) {
    const path = "/api/v1/devices/{id}/";
    await call("DELETE", path.replace("{id}", encodeURIComponent(id)));
}
export async function devices() {
    return (await call("GET", "/api/v1/devices/?page_size=100")).data.results;
}
