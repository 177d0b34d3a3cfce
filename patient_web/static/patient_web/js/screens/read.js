/** Looking back: the practices agreed with the therapist, progress, and every entry by week. */
import * as api from "../api.js";
import { isoWeek, showDay, showWeek, weekMonday } from "../dates.js";
import { announce, h } from "../dom.js";
import { nav } from "../nav.js";
import * as outbox from "../outbox.js";
import * as store from "../store.js";
import { stateLine } from "./conflict.js";
function describe(c) {
    if (c.cadence === "once")
        return "Once";
    if (c.cadence === "daily")
        return c.target_count > 1 ? `${c.target_count} a day` : "Each day";
    return c.target_count > 1 ? `${c.target_count} a week` : "Each week";
}
export async function practices() {
    const recs = (await store.all()).filter((r) => r.kind === "commitment");
    const card = (rec) => {
        const c = store.current(rec);
        const actions = c.status === "proposed"
            ? h("div", { class: "actions" }, h("button", { type: "button", onclick: () => decide(rec, "confirm") }, "Yes, I'll practise this"), h("button", { type: "button", class: "secondary", onclick: () => decide(rec, "decline") }, "Not for me"))
            : null;
        return h("li", { class: "card" }, h("h3", {}, c.title), h("p", {}, describe(c)), c.details && c.details !== c.title ? h("p", { class: "quiet" }, c.details) : null, c.evidence
            ? h("details", {}, h("summary", {}, "In your session's words"), h("blockquote", {}, c.evidence))
            : null, actions, stateLine(rec, true));
    };
    const proposed = recs.filter((r) => store.current(r).status === "proposed");
    const active = recs.filter((r) => store.current(r).status === "active");
    const other = recs.filter((r) => !["proposed", "active", "dropped"].includes(String(store.current(r).status)));
    return h("section", {}, h("h1", {}, "Practices"), h("p", { class: "lede" }, "What you and your therapist agreed to try between sessions."), proposed.length
        ? [
            h("h2", {}, "Drafted from your session"),
            h("p", { class: "quiet" }, "Your therapist drafted these from what you talked about. Keep the ones that fit."),
            h("ul", { class: "cards" }, proposed.map(card)),
        ]
        : null, h("h2", {}, "Practising now"), active.length
        ? h("ul", { class: "cards" }, active.map(card))
        : h("p", {}, "None yet. When you and your therapist agree on a practice, it shows here."), other.length ? [h("h2", {}, "Paused or finished"), h("ul", { class: "cards" }, other.map(card))] : null);
}
async function decide(rec, choice) {
    await outbox.write("commitment", rec.id, choice === "confirm" ? { status: "active" } : { status: "dropped" }, choice);
    announce(choice === "confirm" ? "Added to your practices." : "Set aside. Your therapist will see you chose not to.");
    await nav.render();
}
export async function progress() {
    let report;
    let asOf = null;
    try {
        report = await api.progress(12);
        await store.setMeta("progress", { report, at: new Date().toISOString() });
    }
    catch (error) {
        if (!(error instanceof api.Offline || error instanceof api.SignedOut))
            throw error;
        const cached = await store.getMeta("progress");
        report = cached?.report;
        asOf = cached?.at ?? null;
    }
    if (!report) {
        return h("section", {}, h("h1", {}, "Progress"), h("p", {}, "Your progress shows here once you're back online."));
    }
    const streak = report.practice_streak_weeks;
    const rows = report.weeks.map((w) => {
        const bits = [];
        if (w.reflections.days)
            bits.push(`reflected on ${w.reflections.days} day${w.reflections.days === 1 ? "" : "s"}`);
        if (w.pride.count) {
            const things = `${w.pride.count} thing${w.pride.count === 1 ? "" : "s"} you were proud of`;
            bits.push(w.pride.met ? `${things} (that makes the week)` : things);
        }
        if (w.experiments_done)
            bits.push(`${w.experiments_done} experiment${w.experiments_done === 1 ? "" : "s"} tried`);
        const practised = bits.length > 0;
        return h("li", { class: practised ? "week practised" : "week" }, h("span", { class: "when" }, showWeek(w.week)), h("span", {}, practised ? bits.join(", ") : "A quiet week"));
    });
    const practisedWeeks = report.weeks.filter((w) => w.reflections.days || w.pride.count || w.experiments_done).length;
    return h("section", {}, h("h1", {}, "Progress"), h("p", { class: "lede" }, `You practised in ${practisedWeeks} of the last ${report.weeks.length} weeks.`, streak > 1 ? ` ${streak} weeks in a row now.` : ""), asOf ? h("p", { class: "quiet" }, `As of ${new Date(asOf).toLocaleString()}; you're offline.`) : null, h("ol", { class: "progress" }, rows), h("p", { class: "quiet" }, "Every bit of practice counts; the weeks without any are just weeks."));
}
const LABEL = {
    reflection: "Reflection",
    pride_entry: "Proud of",
    experiment: "Experiment",
};
function weekOf(kind, entry) {
    const e = entry;
    if (kind === "pride_entry")
        return e.week ?? "";
    return isoWeek(e.date ?? e.planned_for ?? new Date().toISOString().slice(0, 10));
}
function summary(kind, entry) {
    const e = entry;
    if (kind === "reflection")
        return `${showDay(String(e.date))}: ${String(e.effort ?? "")}`;
    if (kind === "pride_entry")
        return (e.items ?? []).join(" · ");
    return String(e.title ?? "");
}
function editLink(rec) {
    const e = store.current(rec);
    if (rec.kind === "reflection")
        return `/journal/today?date=${String(e.date)}`;
    if (rec.kind === "pride_entry")
        return `/journal/week?week=${String(e.week)}`;
    return `/journal/experiments?id=${rec.id}`;
}
export async function history() {
    const recs = (await store.all()).filter((r) => r.kind !== "commitment" && r.op !== "delete");
    const byWeek = new Map();
    for (const rec of recs) {
        const week = weekOf(rec.kind, store.current(rec));
        byWeek.set(week, [...(byWeek.get(week) ?? []), rec]);
    }
    const weeks = [...byWeek.keys()].sort().reverse();
    // Within a week, newest first: by the day written about (a pride entry's Monday), then kind.
    const dayOf = (rec) => {
        const e = store.current(rec);
        return e.date ?? e.planned_for ?? (e.week ? weekMonday(e.week) : "");
    };
    for (const recs of byWeek.values())
        recs.sort((a, b) => dayOf(b).localeCompare(dayOf(a)) || a.kind.localeCompare(b.kind));
    const row = (rec) => {
        const confirmBox = h("span", { class: "confirm", hidden: true });
        const del = h("button", { type: "button", class: "link" }, "Delete");
        del.setAttribute("aria-label", `Delete ${LABEL[rec.kind].toLowerCase()}: ${summary(rec.kind, store.current(rec))}`);
        del.addEventListener("click", () => {
            confirmBox.hidden = false;
            del.hidden = true;
            confirmBox.querySelector("button").focus();
        });
        confirmBox.append("Delete for good? ", h("button", { type: "button", class: "danger", onclick: async () => {
                await outbox.erase(rec.kind, rec.id);
                announce("Deleted.");
                await nav.render();
            } }, "Yes, delete"), " ", h("button", { type: "button", class: "link", onclick: () => {
                confirmBox.hidden = true;
                del.hidden = false;
                del.focus();
            } }, "Keep it"));
        const shared = store.current(rec).shared === false ? " · private" : "";
        return h("li", { class: "card" }, h("p", {}, h("strong", {}, LABEL[rec.kind]), shared), h("p", { class: "excerpt" }, summary(rec.kind, store.current(rec))), stateLine(rec, true), h("p", { class: "actions" }, h("a", { href: editLink(rec) }, "Edit"), " ", del, confirmBox));
    };
    return h("section", {}, h("h1", {}, "History"), weeks.length ? null : h("p", {}, "Nothing written yet. Everything you write shows here, week by week."), weeks.map((week) => h("section", { class: "history-week" }, h("h2", {}, `Week of ${showWeek(week)}`), h("ul", { class: "cards" }, (byWeek.get(week) ?? []).map(row)))));
}
