/** Reminders: for each practice its time and days, on or off; quiet hours; a pause; where they
 * go; and reminders on this device by Web Push. */
import * as api from "../api.js";
import { announce, field, formError, h, showErrors } from "../dom.js";
import * as push from "../push.js";
import * as store from "../store.js";
import { problem } from "./forms.js";
const KIND_NAMES = {
    reflection_daily: "A few minutes each day",
    pride_weekly: "Three things I'm proud of, each week",
    experiment_day: "The morning of an experiment",
    experiment_follow_up: "The evening after an experiment",
    custom: "A practice of my own",
};
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
async function titleOf(reminder) {
    if (reminder.commitment) {
        const rec = await store.get("commitment", reminder.commitment);
        const title = rec ? store.current(rec).title : undefined;
        if (title)
            return title;
    }
    return KIND_NAMES[reminder.kind];
}
async function reminderCard(reminder) {
    const title = await titleOf(reminder);
    if (reminder.kind === "experiment_day" || reminder.kind === "experiment_follow_up") {
        return h("li", { class: "card" }, h("h3", {}, title), h("p", { class: "hint" }, `${KIND_NAMES[reminder.kind]}, at ${reminder.local_time}. It follows the experiment's day.`));
    }
    let version = reminder.version;
    const time = h("input", { type: "time", name: "local_time", required: true });
    time.value = reminder.local_time;
    const on = h("input", { type: "checkbox", id: `on-${reminder.id}`, name: "enabled", checked: reminder.enabled });
    const days = DAYS.map((day, i) => {
        const box = h("input", { type: "checkbox", id: `d-${reminder.id}-${i + 1}`, name: "weekdays", value: String(i + 1), checked: reminder.weekdays.includes(i + 1) });
        return h("span", { class: "check" }, box, h("label", { for: box.id }, day));
    });
    const form = h("form", { novalidate: true, class: "reminder" }, h("h3", {}, title), formError(), h("div", { class: "check" }, on, h("label", { for: on.id }, "Remind me")), field("At", time), h("fieldset", {}, h("legend", {}, "On"), days), h("button", { type: "submit" }, "Save"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const weekdays = [...form.querySelectorAll('input[name="weekdays"]:checked')].map((box) => Number(box.value));
        if (!weekdays.length) {
            showErrors(form, [{ attr: null, detail: "Choose at least one day, or turn this reminder off." }]);
            return;
        }
        try {
            const saved = await api.updateReminder(reminder.id, { local_time: time.value, weekdays, enabled: on.checked }, version);
            version = saved.version;
            showErrors(form, []);
            announce(saved.enabled ? `Saved: ${title}, at ${saved.local_time}.` : `${title}: no reminders.`);
        }
        catch (error) {
            if (error instanceof api.ApiError && error.status === 412) {
                showErrors(form, [{ attr: null, detail: "This reminder was changed on another device. Reload to see it." }]);
                return;
            }
            showErrors(form, problem(error));
        }
    });
    return h("li", { class: "card" }, form);
}
function settingsForm(settings) {
    let version = settings.version;
    const start = h("input", { type: "time", name: "quiet_start" });
    start.value = settings.quiet_start ?? "";
    const end = h("input", { type: "time", name: "quiet_end" });
    end.value = settings.quiet_end ?? "";
    const paused = h("input", { type: "date", name: "paused_until" });
    paused.value = settings.paused_until ?? "";
    const channels = ["push", "email"].map((channel) => {
        const box = h("input", { type: "checkbox", id: `channel-${channel}`, name: "channels", value: channel, checked: settings.channels.includes(channel) });
        return h("span", { class: "check" }, box, h("label", { for: box.id }, channel === "push" ? "Notifications" : "E-mail"));
    });
    const form = h("form", { novalidate: true, class: "reminder-settings" }, formError(), field("Quiet from", start, "No reminder between these two times; one due then is skipped."), field("Quiet until", end), field("Pause every reminder until", paused, "Away, or a hard week: nothing comes until the day after."), h("fieldset", {}, h("legend", {}, "Send reminders by"), channels), h("button", { type: "submit" }, "Save"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const chosen = [...form.querySelectorAll('input[name="channels"]:checked')].map((box) => box.value);
        if (Boolean(start.value) !== Boolean(end.value)) {
            showErrors(form, [{ attr: start.value ? "quiet_end" : "quiet_start", detail: "Give both times, or neither." }]);
            return;
        }
        try {
            const saved = await api.replaceReminderSettings({ quiet_start: start.value || null, quiet_end: end.value || null, paused_until: paused.value || null, channels: chosen }, version);
            version = saved.version;
            showErrors(form, []);
            announce("Saved.");
        }
        catch (error) {
            showErrors(form, problem(error));
        }
    });
    return form;
}
function pushSection() {
    if (!push.supported()) {
        return h("p", {}, "This browser can't show reminders. They still come by the channels below.");
    }
    const button = h("button", { type: "button", class: "secondary" });
    const status = h("p", { class: "form-error", role: "alert", hidden: true });
    const draw = async () => {
        button.textContent = (await push.on()) ? "Stop reminders on this device" : "Remind me on this device";
    };
    void draw();
    button.addEventListener("click", async () => {
        status.hidden = true;
        button.disabled = true;
        try {
            if (await push.on()) {
                await push.disable();
                announce("Reminders stopped on this device.");
            }
            else {
                await push.enable();
                announce("Reminders will come to this device.");
            }
        }
        catch (error) {
            status.textContent = error instanceof push.PushRefused || error instanceof DOMException ? error.message : problem(error).map((e) => e.detail).join(" ");
            status.hidden = false;
        }
        finally {
            button.disabled = false;
            await draw();
        }
    });
    return h("div", {}, h("p", { class: "hint" }, "The browser asks whether this site may show notifications. A reminder says only that it's time for a practice; never anything you wrote."), button, status);
}
export async function reminders() {
    let list = null;
    let settings = null;
    try {
        [list, settings] = await Promise.all([api.reminders(), api.reminderSettings(), push.check()]);
    }
    catch (error) {
        if (!(error instanceof api.Offline || error instanceof api.SignedOut))
            throw error;
    }
    return h("section", {}, h("h1", {}, "Reminders"), h("h2", {}, "On this device"), pushSection(), h("h2", {}, "Your reminders"), list === null
        ? h("p", {}, "Shown when you're online.")
        : list.length
            ? h("ul", { class: "cards" }, await Promise.all(list.map(reminderCard)))
            : h("p", {}, "No reminders yet: each practice you take on brings its own."), h("h2", {}, "Quiet hours, pauses, channels"), settings === null ? h("p", {}, "Shown when you're online.") : settingsForm(settings));
}
