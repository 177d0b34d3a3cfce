import { h } from "../dom.js";
import { nav } from "../nav.js";
import * as outbox from "../outbox.js";
import * as store from "../store.js";
function words(kind, entry) {
    const e = entry;
    const lines = [];
    if (kind === "reflection") {
        lines.push(String(e.effort ?? ""));
        if (e.kind_words)
            lines.push(h("em", {}, String(e.kind_words)));
        if (e.mood)
            lines.push(`Mood ${e.mood} of 5`);
    }
    else if (kind === "pride_entry") {
        lines.push(h("ul", {}, (e.items ?? []).map((item) => h("li", {}, item))));
        if (e.note)
            lines.push(String(e.note));
    }
    else {
        lines.push(String(e.title ?? ""));
        for (const name of ["worry", "outcome", "learned"])
            if (e[name])
                lines.push(`${name}: ${String(e[name])}`);
    }
    return lines;
}
export function conflictPanel(rec, onSettled) {
    const mine = { ...(rec.server ?? {}), ...(rec.local ?? {}) };
    const theirs = rec.theirs ?? {};
    const choose = (keep) => async () => onSettled(await outbox.settle(rec.kind, rec.id, keep));
    return h("section", { class: "conflict", "aria-labelledby": `conflict-${rec.id}` }, h("h2", { id: `conflict-${rec.id}` }, "This entry changed on another device"), h("p", {}, "Both versions are below. Choose the one to keep; the other is then let go."), h("div", { class: "versions" }, h("article", { class: "version", "aria-label": "On this device" }, h("h3", {}, "On this device"), words(rec.kind, mine).map((line) => h("div", {}, line)), h("button", { type: "button", onclick: choose("mine") }, "Keep this device's")), h("article", { class: "version", "aria-label": "Saved elsewhere" }, h("h3", {}, "Saved elsewhere"), words(rec.kind, theirs).map((line) => h("div", {}, line)), h("button", { type: "button", class: "secondary", onclick: choose("theirs") }, "Keep the other"))));
}
/** A record's state in words, for the line under an entry. */
function stateText(rec) {
    return {
        synced: rec.server ? "Saved." : "",
        pending: "Saved on this device, waiting to send.",
        conflict: "Changed on another device: choose which to keep.",
        refused: `Not accepted: ${rec.error ?? "the server refused it"}`,
    }[rec.state];
}
/** `inList`: in a list of entries "Saved." is noise; only what needs a look is said. */
export function stateLine(rec, inList = false) {
    if (!rec || (inList && rec.state === "synced"))
        return null;
    return h("p", { class: `state state-${rec.state}`, role: "status", "data-state-of": rec.key }, stateText(rec));
}
/**
 * After the outbox sent or pulled something: bring each state line on the screen up to date,
 * and open the choice when an entry shown turned out to be in conflict. Only those lines
 * change, so nothing the patient is typing is redrawn under their fingers.
 */
export async function refreshStates() {
    for (const line of document.querySelectorAll("[data-state-of]")) {
        const key = line.dataset.stateOf ?? "";
        const [kind, id] = key.split(":");
        const rec = await store.get(kind, id);
        if (!rec)
            continue;
        const text = stateText(rec);
        if (line.textContent !== text)
            line.textContent = text;
        line.className = `state state-${rec.state}`;
        if (rec.state === "conflict" && !document.getElementById(`conflict-${rec.id}`)) {
            line.before(conflictPanel(rec, () => void nav.render()));
        }
    }
}
