/**
 * Days and weeks as the API counts them: a local day `YYYY-MM-DD` and an ISO week `YYYY-Www`
 * (Monday first), both in the patient's own zone, which is the account's zone and not
 * necessarily the phone's. Calendar arithmetic is done on UTC dates so that no clock change
 * of the phone's zone can shift a day.
 */
/** Today's date in `zone` at `now`. */
export function localDate(zone, now = new Date()) {
    // en-CA formats as YYYY-MM-DD; the digits are forced to Latin by the "-u-nu-latn" extension.
    return new Intl.DateTimeFormat("en-CA-u-nu-latn", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
    }).format(now);
}
function toUtc(day) {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}
function fromUtc(date) {
    return date.toISOString().slice(0, 10);
}
export function addDays(day, n) {
    const date = toUtc(day);
    date.setUTCDate(date.getUTCDate() + n);
    return fromUtc(date);
}
/** The ISO week `YYYY-Www` a day belongs to. */
export function isoWeek(day) {
    const date = toUtc(day);
    const weekday = date.getUTCDay() || 7;
    // The Thursday of this week decides the ISO year.
    date.setUTCDate(date.getUTCDate() + 4 - weekday);
    const year = date.getUTCFullYear();
    const jan1 = Date.UTC(year, 0, 1);
    const week = Math.floor((date.getTime() - jan1) / 86_400_000 / 7) + 1;
    return `${year}-W${String(week).padStart(2, "0")}`;
}
/** The Monday of an ISO week. */
export function weekMonday(week) {
    const [yearText, weekText] = week.split("-W");
    const year = Number(yearText);
    const jan4 = new Date(Date.UTC(year, 0, 4));
    const monday = new Date(jan4);
    monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() || 7) - 1) + (Number(weekText) - 1) * 7);
    return fromUtc(monday);
}
/** The `count` weeks up to and including `week`, newest first. */
export function weeksBefore(week, count) {
    const monday = weekMonday(week);
    return Array.from({ length: count }, (_, i) => isoWeek(addDays(monday, -7 * i)));
}
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
/** "Wed 25 Nov" in the reader's language. */
export function showDay(day) {
    return dayFormat.format(toUtc(day));
}
/** "23–29 Nov" for a week. */
export function showWeek(week) {
    const monday = weekMonday(week);
    const sunday = addDays(monday, 6);
    const short = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
    return `${short.format(toUtc(monday))} – ${short.format(toUtc(sunday))}`;
}
/** "Thu 26 Nov, 14:02" for a moment, in `zone`. */
export function showMoment(iso, zone) {
    return new Intl.DateTimeFormat(undefined, {
        weekday: "short",
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
        timeZone: zone,
    }).format(new Date(iso));
}
/** "14:02" for a moment, in `zone`. */
export function showTime(iso, zone) {
    return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date(iso));
}
