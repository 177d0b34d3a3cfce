/** The patient's own account: name and zone, password, their data, signing out everywhere, erasure. */
import * as api from "../api.js";
import { announce, field, formError, h, showErrors } from "../dom.js";
import { nav } from "../nav.js";
import * as session from "../session.js";
import { countrySelect, PASSWORD_MIN, problem, zoneSelect } from "./forms.js";

export function profileForm(): HTMLFormElement {
  const user = session.user;
  const name = h("input", { name: "display_name", type: "text", autocomplete: "nickname", maxlength: 100, required: true });
  name.value = user?.display_name ?? "";
  const zone = zoneSelect(session.zone());
  const fromZone = user && !user.country ? user.country_in_effect : null;
  const country = countrySelect(user?.country ?? null, fromZone);
  const form = h(
    "form",
    { novalidate: true, class: "profile" },
    formError(),
    field("What should we call you?", name),
    field("Your time zone", zone, "Your days, weeks and reminders follow it. Travelling? Change it when you arrive."),
    field("Where you are", country, "For the crisis lines under Help now."),
    h("button", { type: "submit" }, "Save"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!name.value.trim()) {
      showErrors(form, [{ attr: "display_name", detail: "Enter a name, even just a first one." }]);
      return;
    }
    try {
      await session.remember(
        await api.updateMe({ display_name: name.value.trim(), timezone: zone.value, country: country.value || null }),
      );
      showErrors(form, []);
      announce("Saved.");
    } catch (error) {
      showErrors(form, problem(error));
    }
  });
  return form;
}

export function passwordForm(): HTMLFormElement {
  const current = h("input", { name: "current_password", type: "password", autocomplete: "current-password", required: true });
  const fresh = h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: PASSWORD_MIN });
  const form = h(
    "form",
    { novalidate: true, class: "password" },
    formError(),
    field("Current password", current),
    field("New password", fresh, `At least ${PASSWORD_MIN} characters, not a common one. Your other devices will sign in again.`),
    h("button", { type: "submit" }, "Change password"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.changePassword({ current_password: current.value, new_password: fresh.value });
      current.value = "";
      fresh.value = "";
      showErrors(form, []);
      announce("Password changed. Your other devices are signed out.");
    } catch (error) {
      if (error instanceof api.ApiError && error.has("wrong_password")) {
        showErrors(form, [{ attr: "current_password", detail: "That is not your current password." }]);
        return;
      }
      showErrors(form, problem(error));
    }
  });
  return form;
}

export function dataSection(): HTMLElement {
  const download = h("button", { type: "button", class: "secondary" }, "Download my data");
  const status = h("p", { class: "form-error", role: "alert", hidden: true });
  download.addEventListener("click", async () => {
    status.hidden = true;
    try {
      const { blob, name } = await api.exportAccount();
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce("Your data is downloading.");
    } catch (error) {
      status.textContent = problem(error).map((e) => e.detail).join(" ");
      status.hidden = false;
    }
  });
  return h(
    "div",
    {},
    h("p", {}, "Everything Good Enough holds about you, as one file (JSON): your entries, practices, reminders, links, and who read what."),
    download,
    status,
    h("p", {}, h("a", { href: "/journal/erase" }, "Erase my account")),
  );
}

export function everywhereSection(): HTMLElement {
  const button = h("button", { type: "button", class: "secondary" }, "Sign out everywhere");
  const status = h("p", { class: "form-error", role: "alert", hidden: true });
  button.addEventListener("click", async () => {
    try {
      await api.logoutEverywhere();
      await session.signOut();
      announce("Signed out on every device.");
      nav.go("welcome");
    } catch (error) {
      status.textContent = problem(error).map((e) => e.detail).join(" ");
      status.hidden = false;
    }
  });
  return h(
    "div",
    {},
    h("p", { class: "hint" }, "Lost a phone, or signed in somewhere you shouldn't stay? This signs out every device, this one too."),
    button,
    status,
  );
}

export async function erase(): Promise<HTMLElement> {
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    { novalidate: true },
    formError(),
    field("Your password, to confirm", password),
    h("button", { type: "submit", class: "danger" }, "Erase my account for good"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!password.value) {
      showErrors(form, [{ attr: "password", detail: "Enter your password to confirm." }]);
      return;
    }
    try {
      await api.eraseAccount(password.value);
      await session.signOut();
      announce("Your account and everything in it are erased.");
      nav.go("welcome");
    } catch (error) {
      if (error instanceof api.ApiError && error.has("wrong_password")) {
        showErrors(form, [{ attr: "password", detail: "That is not your password. Nothing was erased." }]);
        return;
      }
      showErrors(form, problem(error));
    }
  });
  return h(
    "section",
    {},
    h("h1", {}, "Erase my account"),
    h("p", {}, "This erases, at once and for good:"),
    h(
      "ul",
      {},
      h("li", {}, "your account, your e-mail and your password;"),
      h("li", {}, "every reflection, pride entry, experiment and practice you wrote;"),
      h("li", {}, "your reminders and devices, and your links to your therapist (they no longer see anything of yours)."),
    ),
    h("p", {}, h("strong", {}, "It cannot be undone."), " Want a copy first? ", h("a", { href: "/journal/account" }, "Download your data"), " from your account."),
    form,
    h("p", {}, h("a", { href: "/journal/account" }, "Keep my account")),
  );
}
