/** A forgotten password: ask for the e-mail, then set a new one from its link. */
import * as api from "../api.js";
import { field, formError, h, showErrors } from "../dom.js";
import { nav } from "../nav.js";
import { PASSWORD_MIN, problem } from "./forms.js";
export async function forgot() {
    const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
    const done = h("p", { role: "status", class: "notice", hidden: true });
    const form = h("form", { novalidate: true }, formError(), field("E-mail", email), h("button", { type: "submit" }, "Send me a link"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!email.value.trim()) {
            showErrors(form, [{ attr: "email", detail: "Enter the e-mail you signed up with." }]);
            return;
        }
        try {
            await api.requestPasswordReset(email.value.trim());
            showErrors(form, []);
            form.hidden = true;
            done.textContent = `If an account uses ${email.value.trim()}, we've sent it a link to set a new password. It works once, within an hour.`;
            done.hidden = false;
        }
        catch (error) {
            showErrors(form, problem(error));
        }
    });
    return h("section", {}, h("h1", {}, "Forgot your password?"), h("p", {}, "Give the e-mail you sign in with, and we'll send you a link to set a new password."), form, done, h("p", {}, h("a", { href: "/journal/sign-in" }, "Back to sign in")));
}
/** The page a reset e-mail's link opens: /journal/reset/<uid>/<token>. */
let link = { uid: "", token: "" };
export async function reset(params) {
    if (params.get("uid") && params.get("token")) {
        link = { uid: params.get("uid") ?? "", token: params.get("token") ?? "" };
        // The token leaves the address bar (and so the history and any shared screenshot) at once;
        // a redraw of this screen reads it from here.
        history.replaceState(null, "", "/journal/reset");
    }
    const { uid, token } = link;
    const fresh = h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: PASSWORD_MIN });
    const form = h("form", { novalidate: true }, formError(), field("New password", fresh, `At least ${PASSWORD_MIN} characters, not a common one.`), h("button", { type: "submit" }, "Set my new password"));
    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
            await api.confirmPasswordReset({ uid, token, new_password: fresh.value });
            nav.go("sign-in", { reset: "1" });
        }
        catch (error) {
            if (error instanceof api.ApiError && error.has("invalid_link")) {
                showErrors(form, [{ attr: null, detail: "This link doesn't work any more: it was used, or it ran out. Ask for a new one." }]);
                return;
            }
            showErrors(form, problem(error));
        }
    });
    return h("section", {}, h("h1", {}, "Set a new password"), h("p", {}, "Setting it signs you out everywhere else."), form, h("p", {}, h("a", { href: "/journal/forgot" }, "Ask for a new link")));
}
