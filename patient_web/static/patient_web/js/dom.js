/**
 * A few lines instead of a UI library: `h()` builds elements, screens return them, the router
 * swaps them into <main>. Text always goes in as text nodes, never as HTML: everything the
 * patient writes is shown exactly as written and can never run as markup.
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false)
            continue;
        if (typeof value === "function") {
            el.addEventListener(name.replace(/^on/, ""), value);
        }
        else if (value === true) {
            el.setAttribute(name, "");
        }
        else {
            el.setAttribute(name, String(value));
        }
    }
    append(el, children);
    return el;
}
function append(el, children) {
    for (const child of children) {
        if (Array.isArray(child))
            append(el, child);
        else if (child instanceof Node)
            el.appendChild(child);
        else if (child !== null && child !== undefined && child !== false)
            el.appendChild(document.createTextNode(String(child)));
    }
}
let uid = 0;
/** An id for a label's `for` and an input's `id`, unique within the page. */
export function fieldId(name) {
    uid += 1;
    return `f-${name}-${uid}`;
}
/** A labelled field: the label above the control, a hint and an error tied to it by aria-describedby. */
export function field(label, control, hint) {
    const id = control.id || fieldId(control.name || "field");
    control.id = id;
    const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
    const errorEl = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    control.setAttribute("aria-describedby", [hintEl ? `${id}-hint` : "", `${id}-error`].join(" ").trim());
    return h("div", { class: "field" }, h("label", { for: id }, label), hintEl, control, errorEl);
}
/** The place above a form for a refusal that names no field (filled by `showErrors`). */
export function formError() {
    return h("p", { class: "form-error", role: "alert", hidden: true });
}
/** Show a server's or our own refusal beside the field it concerns (or above the form). */
export function showErrors(form, errors) {
    for (const old of form.querySelectorAll(".field-error")) {
        old.hidden = true;
        old.textContent = "";
    }
    for (const control of form.querySelectorAll("[aria-invalid]"))
        control.removeAttribute("aria-invalid");
    const general = [];
    let first = null;
    for (const error of errors) {
        const attr = error.attr?.split(".")[0];
        const control = attr ? form.querySelector(`[name="${CSS.escape(attr)}"]`) : null;
        const slot = control ? document.getElementById(`${control.id}-error`) : null;
        if (control && slot) {
            slot.textContent = error.detail;
            slot.hidden = false;
            control.setAttribute("aria-invalid", "true");
            first ??= control;
        }
        else {
            general.push(error.detail);
        }
    }
    const box = form.querySelector(".form-error");
    if (box) {
        box.textContent = general.join(" ");
        box.hidden = general.length === 0;
        if (general.length)
            first ??= box;
    }
    first?.focus();
}
let announcedAt = 0;
/** Clear an announcement that belongs to an earlier screen (one made just now stays). */
export function clearStaleAnnouncement() {
    const region = document.getElementById("status");
    if (region && Date.now() - announcedAt > 1500)
        region.textContent = "";
}
/** A polite announcement for screen readers (and a visible note at the top of the screen). */
export function announce(message) {
    announcedAt = Date.now();
    const region = document.getElementById("status");
    if (!region)
        return;
    region.textContent = "";
    // A fresh text node after a tick, so that the same message twice is read twice.
    window.setTimeout(() => {
        region.textContent = message;
    }, 30);
}
