/**
 * Reminders on this device by Web Push. Permission is asked only when the patient turns push on
 * (never on a first visit); the subscription is made with the server's VAPID key and registered
 * through `/api/v1/devices/` as a `web` device, and is removed when push is turned off or the
 * patient signs out. The service worker shows what arrives (`sw/sw.ts`).
 */
import * as api from "./api.js";
import * as store from "./store.js";
const DEVICE = "push-device";
export function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}
/** Whether this device is registered for push (as far as this device knows). */
export async function on() {
    return (await store.getMeta(DEVICE)) !== undefined;
}
/**
 * Ask the server whether this device still receives reminders: one the push service called
 * gone (the browser dropped the subscription, say) is switched off there, and is off here too,
 * so the patient can turn it on again.
 */
export async function check() {
    const id = await store.getMeta(DEVICE);
    if (!id)
        return;
    const mine = (await api.devices()).find((device) => device.id === id);
    if (!mine?.active)
        await store.deleteMeta(DEVICE);
}
export class PushRefused extends Error {
}
function keyBytes(key) {
    const text = atob(key.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (key.length % 4)) % 4));
    const bytes = new Uint8Array(new ArrayBuffer(text.length));
    for (let i = 0; i < text.length; i += 1)
        bytes[i] = text.charCodeAt(i);
    return bytes;
}
export async function enable() {
    const key = await api.webPushKey();
    if (!key)
        throw new PushRefused("This server doesn't send reminders to browsers.");
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
        throw new PushRefused("Notifications are blocked for this site. Allow them in your browser's settings, then try again.");
    }
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
    const device = await api.registerDevice({ platform: "web", token: JSON.stringify(subscription) });
    await store.setMeta(DEVICE, device.id);
}
/** Unsubscribe this browser and forget the device on the server (best effort when offline). */
export async function disable() {
    const id = await store.getMeta(DEVICE);
    if ("serviceWorker" in navigator) {
        const registration = await navigator.serviceWorker.getRegistration();
        const subscription = await registration?.pushManager.getSubscription();
        await subscription?.unsubscribe();
    }
    if (id) {
        try {
            await api.deleteDevice(id);
        }
        catch (error) {
            if (!(error instanceof api.ApiError && error.status === 404))
                throw error;
        }
    }
    await store.deleteMeta(DEVICE);
}
