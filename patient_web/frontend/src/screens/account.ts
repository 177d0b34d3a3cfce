/** Getting in and getting linked: welcome, sign in, create an account, join a therapist, account. */
import * as api from "../api.js";
import { announce, field, formError, h, showErrors } from "../dom.js";
import { nav } from "../nav.js";
import * as outbox from "../outbox.js";
import * as session from "../session.js";
import * as store from "../store.js";
import { PASSWORD_MIN, problem, zoneSelect } from "./forms.js";
import { dataSection, everywhereSection, passwordForm, profileForm } from "./me.js";

/** Where to go after signing in: the page the visitor was sent away from, if it is ours. */
function next(params: URLSearchParams): string {
  const target = params.get("next") ?? "";
  return target.startsWith("/journal/") && !target.startsWith("//") ? target : "/journal/today";
}

function goTo(path: string): void {
  const url = new URL(path, location.origin);
  nav.go(url.pathname.replace("/journal/", ""), Object.fromEntries(url.searchParams));
}

export async function welcome(params: URLSearchParams): Promise<HTMLElement> {
  if (session.user) {
    nav.go("today");
  }
  const query = params.get("next") ? `?next=${encodeURIComponent(params.get("next") ?? "")}` : "";
  return h(
    "section",
    { class: "welcome" },
    h("h1", {}, "Good Enough"),
    h("p", { class: "lede" }, "A few minutes a day to notice your effort, between therapy sessions."),
    h("p", {}, "Write what you tried, three things you're proud of each week, and small experiments. It works offline too."),
    h("p", { class: "actions" }, h("a", { class: "button", href: `/journal/register${query}` }, "Create an account"), h("a", { class: "button secondary", href: `/journal/sign-in${query}` }, "Sign in")),
    h("p", { class: "quiet" }, "Your journal is not watched in real time and is not an emergency service. In an emergency, call your local emergency number."),
  );
}

export async function signIn(params: URLSearchParams): Promise<HTMLElement> {
  const email = h("input", { name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const code = h("input", { name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code" });
  const codeField = field("Code from your authenticator app", code);
  codeField.hidden = true;
  const form = h(
    "form",
    { novalidate: true },
    formError(),
    field("E-mail", email),
    field("Password", password),
    codeField,
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.signIn(email.value.trim(), password.value, code.value.trim() || undefined);
      const me = await api.me();
      if (me.role !== "patient") {
        await api.signOut();
        showErrors(form, [{ attr: null, detail: "This app is for patients. Therapists sign in at /app/." }]);
        return;
      }
      await session.remember(me);
      void outbox.flush();
      announce(`Welcome back, ${me.display_name}.`);
      goTo(next(params));
    } catch (error) {
      if (error instanceof api.ApiError && error.has("code_required")) {
        codeField.hidden = false;
        code.focus();
        return;
      }
      showErrors(form, problem(error));
    }
  });
  const query = params.get("next") ? `?next=${encodeURIComponent(params.get("next") ?? "")}` : "";
  return h(
    "section",
    {},
    h("h1", {}, "Sign in"),
    params.get("reset") ? h("p", { class: "notice", role: "status" }, "Your new password is set, and you're signed out everywhere else. Sign in with it.") : null,
    form,
    h("p", {}, h("a", { href: "/journal/forgot" }, "Forgot your password?")),
    h("p", {}, "New here? ", h("a", { href: `/journal/register${query}` }, "Create an account"), "."),
  );
}

export async function register(params: URLSearchParams): Promise<HTMLElement> {
  const name = h("input", { name: "display_name", type: "text", autocomplete: "nickname", maxlength: 100, required: true });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password", required: true, minlength: PASSWORD_MIN });
  const zone = zoneSelect(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const form = h(
    "form",
    { novalidate: true },
    formError(),
    field("What should we call you?", name),
    field("E-mail", email),
    field("Password", password, `At least ${PASSWORD_MIN} characters, not a common one.`),
    field("Your time zone", zone, "Reminders and your days follow it."),
    h("button", { type: "submit" }, "Create my account"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.register({
        email: email.value.trim(),
        password: password.value,
        display_name: name.value.trim(),
        role: "patient",
        timezone: zone.value,
      });
      await api.signIn(email.value.trim(), password.value);
      await session.remember(await api.me());
      announce("Your account is ready.");
      const target = next(params);
      goTo(target === "/journal/today" ? "/journal/join" : target);
    } catch (error) {
      showErrors(form, problem(error));
    }
  });
  const query = params.get("next") ? `?next=${encodeURIComponent(params.get("next") ?? "")}` : "";
  return h(
    "section",
    {},
    h("h1", {}, "Create your account"),
    form,
    h("p", {}, "Already have one? ", h("a", { href: `/journal/sign-in${query}` }, "Sign in"), "."),
  );
}

export async function join(params: URLSearchParams): Promise<HTMLElement> {
  const code = h("input", { name: "code", type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", required: true });
  code.value = params.get("code") ?? "";
  const share = h("input", { type: "checkbox", name: "share_entries", id: "share_entries", checked: true });
  const form = h(
    "form",
    { novalidate: true },
    formError(),
    field("Invite code from your therapist", code),
    h("div", { class: "check" }, share, h("label", { for: "share_entries" }, "Share my entries with my therapist by default")),
    h("p", { class: "hint" }, "You can make any single entry private, and change this later."),
    h("button", { type: "submit" }, "Join"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!code.value.trim()) {
      showErrors(form, [{ attr: "code", detail: "Enter the code your therapist gave you." }]);
      return;
    }
    try {
      const link = await api.join(code.value.trim(), share.checked);
      announce(`You're linked with ${link.therapist?.display_name ?? "your therapist"}.`);
      void outbox.flush();
      nav.go("practices");
    } catch (error) {
      showErrors(form, problem(error));
    }
  });
  return h(
    "section",
    {},
    h("h1", {}, "Join your therapist"),
    h("h2", {}, "What your therapist will see"),
    h(
      "ul",
      {},
      h("li", {}, "Your practices, and how often you practised: days you reflected, how many things you were proud of, experiments tried."),
      h("li", {}, "The words of the entries you share (you choose, entry by entry)."),
      h("li", {}, "Your mood numbers, as a trend."),
    ),
    h("h2", {}, "What they will not see"),
    h(
      "ul",
      {},
      h("li", {}, "Entries you keep private, or any entry while sharing is off."),
      h("li", {}, "Your e-mail, your password, your reminders."),
    ),
    h("p", {}, "Every time your therapist reads your entries or progress, you can see it in your account. They do not watch your journal in real time."),
    form,
    h("p", {}, h("a", { href: "/journal/today" }, "Not now")),
  );
}

export async function account(): Promise<HTMLElement> {
  const user = session.user;
  let links: api.CareLink[] | null = null;
  try {
    links = (await api.careLinks()).filter((l) => l.status === "active");
  } catch (error) {
    if (!(error instanceof api.Offline || error instanceof api.SignedOut)) throw error;
  }
  const waiting = (await store.all()).filter((r) => r.state === "pending").length;
  const out = h("button", { type: "button", class: "secondary" }, "Sign out");
  const warning = h("p", { class: "form-error", role: "alert", hidden: true });
  out.addEventListener("click", async () => {
    if (waiting && out.dataset.sure !== "yes") {
      const what = waiting === 1 ? "1 entry has not been sent yet. Signing out removes it" : `${waiting} entries have not been sent yet. Signing out removes them`;
      warning.textContent = `${what} from this device. Press again to sign out anyway.`;
      warning.hidden = false;
      out.dataset.sure = "yes";
      return;
    }
    await session.signOut();
    announce("Signed out.");
    nav.go("welcome");
  });
  return h(
    "section",
    {},
    h("h1", {}, "Account"),
    h("p", {}, `${user?.display_name ?? ""} · ${user?.email ?? ""}`),
    h("p", { class: "quiet" }, `Your days follow ${user?.timezone ?? ""}.`),
    h("h2", {}, "Your therapist"),
    links === null
      ? h("p", {}, "Shown when you're online.")
      : links.length
        ? h("ul", {}, links.map((l) => h("li", {}, l.therapist?.display_name ?? "Your therapist", l.share_entries ? " · sees your shared entries" : " · sharing is off")))
        : h("p", {}, "Not linked yet."),
    h("p", {}, h("a", { href: "/journal/sharing" }, "What my therapist sees"), " · ", h("a", { href: "/journal/join" }, "Join with an invite code")),
    h("h2", {}, "Reminders"),
    h("p", {}, h("a", { href: "/journal/reminders" }, "Times, days, quiet hours, and reminders on this device")),
    h("h2", {}, "Your name and time zone"),
    profileForm(),
    h("h2", {}, "Password"),
    passwordForm(),
    h("h2", {}, "Your data"),
    dataSection(),
    h("h2", {}, "Sign out"),
    warning,
    out,
    everywhereSection(),
  );
}
