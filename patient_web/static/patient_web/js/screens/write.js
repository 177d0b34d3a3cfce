import { addDays, isoWeek, localDate, showDay, showWeek, weeksBefore } from "../dates.js";
import { announce, field, formError, h, showErrors } from "../dom.js";
import { nav } from "../nav.js";
import * as outbox from "../outbox.js";
import * as session from "../session.js";
import * as store from "../store.js";
import { conflictPanel, stateLine } from "./conflict.js";
export const KIND_WORDS = "You're doing your best, and that's enough.";
async function records(kind) {
    return (await store.all()).filter((r) => r.kind === kind && !(r.op === "delete"));
}
function sharedBox(checked) {
    const box = h("input", { type: "checkbox", name: "shared", id: "shared", checked });
    return h("div", { class: "check" }, box, h("label", { for: "shared" }, "Share this with my therapist"));
}
/** The active commitment of a kind, if the patient has one (to link the entry to it). */
async function activeCommitment(kind) {
    for (const rec of await records("commitment")) {
        const c = store.current(rec);
        if (c.kind === kind && c.status === "active")
            return c;
    }
    return null;
}
export async function today(params) {
    const todayDate = localDate(session.zone());
    const date = params.get("date") ?? todayDate;
    const rec = (await records("reflection")).find((r) => store.current(r).date === date);
    const entry = rec ? store.current(rec) : {};
    const id = rec?.id ?? crypto.randomUUID();
    const effort = h("textarea", { name: "effort", rows: 4, maxlength: 2000, required: true });
    effort.value = entry.effort ?? "";
    const kind = h("textarea", { name: "kind_words", rows: 2, maxlength: 500 });
    kind.value = entry.kind_words ?? KIND_WORDS;
    const moods = ["very low", "low", "okay", "good", "very good"];
    const mood = h("fieldset", { class: "mood" }, h("legend", {}, "Mood, if you like"), h("div", { class: "choices" }, [
        h("label", {}, h("input", { type: "radio", name: "mood", value: "", checked: entry.mood == null }), "Skip"),
        ...moods.map((word, i) => h("label", {}, h("input", { type: "radio", name: "mood", value: String(i + 1), checked: entry.mood === i + 1 }), `${i + 1}`, h("span", { class: "visually-hidden" }, ` (${word})`))),
    ]));
    const form = h("form", { novalidate: true }, formError(), field(date === todayDate ? "What did I do with effort today?" : "What did I do with effort that day?", effort, "Small things count. Trying counts."), field("Kind words to myself", kind), mood, sharedBox(entry.shared ?? true), h("button", { type: "submit" }, "Save"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!effort.value.trim()) {
            showErrors(form, [{ attr: "effort", detail: "A few words about what you tried today." }]);
            return;
        }
        const picked = form.querySelector('input[name="mood"]:checked')?.value;
        const commitment = rec?.server?.commitment ?? (await activeCommitment("reflection_daily"))?.id ?? null;
        await outbox.write("reflection", id, {
            date,
            effort: effort.value.trim(),
            kind_words: kind.value.trim() || KIND_WORDS,
            mood: picked ? Number(picked) : null,
            shared: form.querySelector("#shared").checked,
            commitment,
        });
        announce(date === todayDate ? "Today's reflection is saved." : `Your reflection for ${showDay(date)} is saved.`);
        await nav.render();
    });
    return h("section", {}, h("h1", {}, date === todayDate ? "Today" : showDay(date)), h("p", { class: "lede" }, date === todayDate ? `${showDay(date)}. A few minutes to notice your effort.` : "Editing a past day."), rec?.state === "conflict" ? conflictPanel(rec, () => void nav.render()) : null, stateLine(rec), form, date !== todayDate ? h("p", {}, h("a", { href: "/journal/today" }, "Back to today")) : null, date === todayDate
        ? h("p", { class: "quiet" }, "Missed a day? ", h("a", { href: `/journal/today?date=${addDays(todayDate, -1)}` }, "Write yesterday's"), ".")
        : null);
}
export async function week(params) {
    const thisWeek = isoWeek(localDate(session.zone()));
    const which = params.get("week") ?? thisWeek;
    const all = await records("pride_entry");
    const rec = all.find((r) => store.current(r).week === which);
    const entry = rec ? store.current(rec) : {};
    const id = rec?.id ?? crypto.randomUUID();
    const pride = await activeCommitment("pride_weekly");
    const target = entry.target ?? pride?.target_count ?? 3;
    const items = [...(entry.items ?? [])];
    const slots = Math.min(10, Math.max(target, items.length));
    const list = h("ol", { class: "items" });
    const addItem = (value) => {
        const n = list.children.length + 1;
        const input = h("input", { type: "text", name: "items", maxlength: 500, "aria-label": `Thing ${n} I'm proud of` });
        input.value = value;
        list.appendChild(h("li", {}, input));
        return input;
    };
    for (let i = 0; i < slots; i++)
        addItem(items[i] ?? "");
    const more = h("button", { type: "button", class: "secondary" }, "Add another");
    more.addEventListener("click", () => {
        if (list.children.length < 10)
            addItem("").focus();
        more.hidden = list.children.length >= 10;
    });
    const note = h("textarea", { name: "note", rows: 2, maxlength: 2000 });
    note.value = entry.note ?? "";
    const form = h("form", { novalidate: true }, formError(), h("fieldset", {}, h("legend", {}, `Things I'm proud of, however small (${target} make the week)`), list, more), field("A note, if you like", note), sharedBox(entry.shared ?? true), h("button", { type: "submit" }, "Save"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const written = [...list.querySelectorAll("input")].map((i) => i.value.trim()).filter(Boolean);
        if (!written.length) {
            showErrors(form, [{ attr: "items", detail: "Write at least one thing, however small." }]);
            return;
        }
        await outbox.write("pride_entry", id, {
            week: which,
            items: written,
            note: note.value.trim(),
            shared: form.querySelector("#shared").checked,
            commitment: rec?.server?.commitment ?? pride?.id ?? null,
        });
        announce(written.length >= target ? `That makes the week: ${written.length} things.` : `Saved: ${written.length} so far.`);
        await nav.render();
    });
    const counts = new Map(all.map((r) => [store.current(r).week, (store.current(r).items ?? []).length]));
    const earlier = weeksBefore(thisWeek, 9).slice(1);
    return h("section", {}, h("h1", {}, which === thisWeek ? "This week" : `Week of ${showWeek(which)}`), h("p", { class: "lede" }, `${showWeek(which)}. ${items.length} of ${target} so far.`), rec?.state === "conflict" ? conflictPanel(rec, () => void nav.render()) : null, stateLine(rec), form, h("h2", {}, "Earlier weeks"), h("p", { class: "quiet" }, "A past week can still be filled in: catching up counts too."), h("ul", { class: "weeks" }, earlier.map((w) => h("li", {}, h("a", { href: `/journal/week?week=${w}` }, showWeek(w)), ` · ${counts.get(w) ?? 0} written`))), which !== thisWeek ? h("p", {}, h("a", { href: "/journal/week" }, "Back to this week")) : null);
}
export async function experiments(params) {
    const all = await records("experiment");
    const open = params.get("id");
    const rec = open ? all.find((r) => r.id === open) : undefined;
    if (open && rec)
        return experiment(rec);
    const title = h("input", { name: "title", type: "text", maxlength: 200, required: true });
    const day = h("input", { name: "planned_for", type: "date", min: localDate(session.zone()) });
    const worry = h("textarea", { name: "worry", rows: 2, maxlength: 2000 });
    const form = h("form", { novalidate: true }, formError(), field("What will I try?", title, "Something small and imperfect, e.g. a new recipe just for fun."), field("Which day?", day), field("What am I worried might happen?", worry), sharedBox(true), h("button", { type: "submit" }, "Plan it"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!title.value.trim()) {
            showErrors(form, [{ attr: "title", detail: "Name the thing you'll try." }]);
            return;
        }
        const commitment = (await activeCommitment("experiment"))?.id ?? null;
        await outbox.write("experiment", crypto.randomUUID(), {
            title: title.value.trim(),
            planned_for: day.value || null,
            worry: worry.value.trim(),
            status: "planned",
            shared: form.querySelector("#shared").checked,
            commitment,
        });
        announce("Planned. Whatever happens, trying counts.");
        await nav.render();
    });
    const byDay = (r) => store.current(r).planned_for ?? store.current(r).date ?? "";
    const planned = all.filter((r) => store.current(r).status === "planned").sort((a, b) => byDay(a).localeCompare(byDay(b)));
    const settled = all.filter((r) => store.current(r).status !== "planned").sort((a, b) => byDay(b).localeCompare(byDay(a)));
    const item = (r) => {
        const e = store.current(r);
        const when = e.planned_for ? showDay(e.planned_for) : "no day set";
        const what = e.status === "tried" ? "tried" : e.status === "skipped" ? "not this time" : when;
        return h("li", {}, h("a", { href: `/journal/experiments?id=${r.id}` }, e.title ?? ""), ` · ${what}`, stateLine(r, true));
    };
    return h("section", {}, h("h1", {}, "Experiments"), h("p", { class: "lede" }, "Small, imperfect tries. Trying counts, whatever the result."), planned.length ? [h("h2", {}, "Planned"), h("ul", { class: "cards" }, planned.map(item))] : null, h("h2", {}, "Plan one"), form, settled.length ? [h("h2", {}, "Tried before"), h("ul", { class: "cards" }, settled.map(item))] : null);
}
function experiment(rec) {
    const e = store.current(rec);
    const outcome = h("textarea", { name: "outcome", rows: 3, maxlength: 2000 });
    outcome.value = e.outcome ?? "";
    const learned = h("textarea", { name: "learned", rows: 2, maxlength: 2000 });
    learned.value = e.learned ?? "";
    const status = h("fieldset", {}, h("legend", {}, "Did it happen?"), h("label", {}, h("input", { type: "radio", name: "status", value: "tried", checked: e.status === "tried" }), "I tried it"), h("label", {}, h("input", { type: "radio", name: "status", value: "skipped", checked: e.status === "skipped" }), "Not this time"));
    const form = h("form", { novalidate: true }, formError(), status, field("What happened?", outcome), field("What did I learn?", learned), h("button", { type: "submit" }, "Save"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const choice = form.querySelector('input[name="status"]:checked');
        if (!choice) {
            showErrors(form, [{ attr: null, detail: "Did it happen? Choose one: either answer is fine." }]);
            return;
        }
        const picked = choice.value;
        await outbox.write("experiment", rec.id, { status: picked, outcome: outcome.value.trim(), learned: learned.value.trim() });
        announce(picked === "tried" ? "Trying counts, whatever happened." : "Saved. There's always another day.");
        await nav.render();
    });
    return h("section", {}, h("h1", {}, e.title ?? "Experiment"), h("p", { class: "lede" }, e.planned_for ? `Planned for ${showDay(e.planned_for)}.` : "No day set."), e.worry ? h("p", {}, h("strong", {}, "The worry before: "), e.worry) : null, e.status === "tried" ? h("p", { class: "kind" }, "Trying counts, whatever happened.") : null, rec.state === "conflict" ? conflictPanel(rec, () => void nav.render()) : null, stateLine(rec), form, h("p", {}, h("a", { href: "/journal/experiments" }, "All experiments")));
}
