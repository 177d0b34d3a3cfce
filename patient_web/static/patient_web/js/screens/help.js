/** Help when things are very hard: crisis lines for where the patient is, the plain statement
 * that no one watches the journal in real time, and a way to ask their therapist to check in.
 * One tap from every screen (the header's "Help now"), signed in or not; and shown at once,
 * gently, when something just written sounds like crisis (`safetyPanel`). */
import * as api from "../api.js";
import { field, h } from "../dom.js";
import * as session from "../session.js";
import { countrySelect, problem } from "./forms.js";
/** One service: its name, when it answers, and a link for each way to reach it. */
function service(s) {
    const ways = [];
    if (s.phone)
        ways.push(h("a", { class: "button", href: `tel:${s.phone.replace(/[^0-9+]/g, "")}` }, `Call ${s.phone}`));
    if (s.text) {
        const number = /(\d[\d ]{2,})/.exec(s.text)?.[1]?.replace(/ /g, "");
        const word = /text\s+(\w+)\s+to/i.exec(s.text)?.[1];
        const href = number ? `sms:${number}${word ? `?&body=${encodeURIComponent(word)}` : ""}` : null;
        const label = /^[\d +()-]+$/.test(s.text) ? `Text ${s.text}` : s.text; // "988" alone says nothing
        ways.push(href ? h("a", { class: "button secondary", href }, label) : h("span", {}, label));
    }
    if (s.web)
        ways.push(h("a", { class: "button secondary", href: s.web, rel: "noopener", target: "_blank" }, "Website"));
    return h("li", { class: "service" }, h("h3", {}, s.name), h("p", { class: "meta" }, s.hours), h("p", { class: "ways" }, ways));
}
/** The lines for a country, the emergency statement first. */
export function resourcesBlock(resources) {
    const emergency = resources.emergency;
    return h("div", { class: "resources" }, h("p", { class: "emergency" }, emergency.statement, emergency.number ? [" ", h("a", { class: "button", href: `tel:${emergency.number}` }, `Call ${emergency.number}`)] : null), resources.services.length ? h("ul", { class: "services" }, resources.services.map(service)) : null, h("p", { class: "quiet" }, resources.not_watched));
}
/** A button that asks the patient's therapist to check in, and says what happened. */
function checkInButton() {
    const button = h("button", { type: "button", class: "secondary" }, "Ask my therapist to check in");
    const said = h("p", { class: "hint", role: "status" });
    button.addEventListener("click", async () => {
        button.disabled = true;
        try {
            const asked = await api.requestCheckIn();
            said.textContent = asked.reaches_therapist
                ? "Asked. Your therapist will see it when they next look; it isn't an emergency line, so if you need someone now, use the numbers above."
                : "You have no therapist linked yet, so no one was asked. The lines above can help now.";
        }
        catch (error) {
            said.textContent = problem(error)[0]?.detail ?? "That didn't go through. Try again.";
            button.disabled = false;
        }
    });
    return h("div", { class: "check-in" }, button, said);
}
async function resourcesFor(where) {
    try {
        return await api.crisisResources(where);
    }
    catch {
        return null; // offline and never fetched: the statement below still says what to do
    }
}
/** The device's own zone: where a signed-out visitor probably is. */
function deviceZone() {
    try {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
    }
    catch {
        return undefined;
    }
}
const OFFLINE_STATEMENT = "This journal is not watched in real time and is not an emergency service. If you might act on thoughts of harming yourself, or you are in danger, call your local emergency number now.";
/** The "Help now" screen: the lines for the account's country, else the device's zone's, and a
 * choice of country right here (signed in or not), so no one has to find a setting first. */
export async function help() {
    const chosen = session.user?.country_in_effect ?? null;
    const first = await resourcesFor(chosen ? { country: chosen } : { timezone: deviceZone() });
    const shown = h("div", {}, first ? resourcesBlock(first) : h("p", { class: "emergency" }, OFFLINE_STATEMENT));
    const picker = countrySelect(first?.country ?? null, null, "Choose where you are");
    picker.addEventListener("change", async () => {
        if (!picker.value)
            return;
        const lines = await resourcesFor({ country: picker.value });
        shown.replaceChildren(lines ? resourcesBlock(lines) : h("p", { class: "emergency" }, OFFLINE_STATEMENT));
    });
    return h("section", { class: "help" }, h("h1", {}, "Help now"), h("p", { class: "lede" }, "If things feel like too much, you don't have to carry it alone. These people are there to talk."), shown, session.user ? checkInButton() : null, field("Lines for another country", picker, session.user ? "To change it for good: Account, “Where you are”." : undefined));
}
export function regionName(code) {
    try {
        return new Intl.DisplayNames(["en"], { type: "region" }).of(code) ?? code;
    }
    catch {
        return code;
    }
}
/** Who will read this entry, plainly: never "private" for an entry a therapist linked later could read. */
function whoReads(safety) {
    if (safety.shared_with_therapist) {
        return "Your therapist can read this entry, but not straight away: they look between sessions, not in real time.";
    }
    if (!safety.entry_shared)
        return "This entry is private: no one else will read it.";
    return "No therapist reads your entries right now, so no one will see this soon.";
}
/** Shown at once when what was just written sounds like crisis: gentle, with help and a plain
 * word on who will read it. Focus moves into it, and Escape or "Close" puts it away. */
export function safetyPanel(safety) {
    const close = h("button", { type: "button", class: "secondary" }, "Close");
    const panel = h("aside", { class: "safety", role: "dialog", "aria-modal": "false", "aria-labelledby": "safety-heading", tabindex: "-1" }, h("h2", { id: "safety-heading" }, "That sounds really hard"), h("p", {}, "Thank you for writing it down. If you might act on these thoughts, or you're not safe right now, please reach out now:"), resourcesBlock(safety.resources), h("p", { class: "shared-note" }, whoReads(safety)), session.user ? checkInButton() : null, close);
    const remove = () => panel.remove();
    close.addEventListener("click", remove);
    panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape")
            remove();
    });
    return panel;
}
/** Show the panel at the top of the page, once per answer. */
export function showSafety(safety) {
    document.querySelector("aside.safety")?.remove();
    const panel = safetyPanel(safety);
    const main = document.getElementById("main");
    main?.before(panel);
    panel.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "start" }); // its heading first, on a phone too
}
