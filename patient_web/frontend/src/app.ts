/**
 * The shell: header, the screen in <main>, the tab bar; routing by path under /journal/ with the
 * History API (the service worker answers every such path with the same shell, online or not).
 */
import * as api from "./api.js";
import { announce, clearStaleAnnouncement, h } from "./dom.js";
import { nav } from "./nav.js";
import * as outbox from "./outbox.js";
import * as session from "./session.js";
import * as store from "./store.js";
import { refreshStates } from "./screens/conflict.js";
import { account, join, register, signIn, welcome } from "./screens/account.js";
import { help, showSafety } from "./screens/help.js";
import { erase } from "./screens/me.js";
import { forgot, reset } from "./screens/password.js";
import { reminders } from "./screens/reminders.js";
import { sharing } from "./screens/sharing.js";
import { history, practices, progress } from "./screens/read.js";
import { experiments, today, week } from "./screens/write.js";

export const BASE = "/journal/";

export type Screen = (params: URLSearchParams) => Promise<HTMLElement>;

interface Route {
  screen: Screen;
  title: string;
  /** Shown to a signed-out visitor; every other screen asks them to sign in first. */
  open?: boolean;
  tab?: string;
}

const ROUTES: Record<string, Route> = {
  "": { screen: today, title: "Today", tab: "Today" },
  today: { screen: today, title: "Today", tab: "Today" },
  week: { screen: week, title: "This week", tab: "Week" },
  experiments: { screen: experiments, title: "Experiments", tab: "Tries" },
  practices: { screen: practices, title: "Practices", tab: "Practices" },
  progress: { screen: progress, title: "Progress", tab: "Progress" },
  history: { screen: history, title: "History", tab: "History" },
  account: { screen: account, title: "Account" },
  join: { screen: join, title: "Join your therapist" },
  welcome: { screen: welcome, title: "Welcome", open: true },
  "sign-in": { screen: signIn, title: "Sign in", open: true },
  register: { screen: register, title: "Create your account", open: true },
  forgot: { screen: forgot, title: "Forgot your password?", open: true },
  reset: { screen: reset, title: "Set a new password", open: true },
  erase: { screen: erase, title: "Erase my account" },
  sharing: { screen: sharing, title: "What my therapist sees" },
  reminders: { screen: reminders, title: "Reminders" },
  help: { screen: help, title: "Help now", open: true },
};

const TABS: [string, string][] = [
  ["today", "Today"],
  ["week", "Week"],
  ["experiments", "Tries"],
  ["practices", "Practices"],
  ["progress", "Progress"],
  ["history", "History"],
];

/** Go to a screen of the app: `go("week", {week: "2026-W47"})`. */
export function go(name: string, params: Record<string, string> = {}, replace = false): void {
  const query = new URLSearchParams(params).toString();
  const url = `${BASE}${name}${query ? `?${query}` : ""}`;
  if (replace) history_.replaceState(null, "", url);
  else history_.pushState(null, "", url);
  void render();
}

const history_ = window.history;

function routeName(): { name: string; params: URLSearchParams } {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "";
  const [name = "", extra, more] = rest.split("/");
  const params = new URLSearchParams(location.search);
  // A join link carries its code in the path: /journal/join/K7QX-M3PD.
  if (name === "join" && extra) params.set("code", decodeURIComponent(extra));
  // A reset e-mail's link carries the account and the one-time token: /journal/reset/<uid>/<token>.
  if (name === "reset" && extra && more) {
    params.set("uid", decodeURIComponent(extra));
    params.set("token", decodeURIComponent(more));
  }
  return { name, params };
}

let rendering = 0;
/** True while a screen is being built: a redraw for new data then waits for the next change. */
let drawing = false;

/** Draw the screen for the current path. `moveFocus` false: a redraw the patient did not ask
 * for (new data arrived), which must not pull focus or scroll away from where they are. */
export async function render(moveFocus = true): Promise<void> {
  const ticket = ++rendering;
  const { name, params } = routeName();
  let route = ROUTES[name];
  if (!route) route = { screen: notFound, title: "Not found", open: true };
  if (!route.open && !session.user) {
    const next = location.pathname + location.search;
    go("welcome", next === BASE ? {} : { next }, true);
    return;
  }
  drawing = true;
  let screen: HTMLElement;
  try {
    screen = await route.screen(params);
  } finally {
    drawing = false;
  }
  if (ticket !== rendering) return; // a later navigation won
  const main = document.getElementById("main");
  if (!main) return;
  main.replaceChildren(screen);
  delete main.dataset.dirty;
  document.title = `${route.title} · Good Enough`;
  await drawChrome(route);
  if (!moveFocus) return;
  clearStaleAnnouncement();
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

async function notFound(): Promise<HTMLElement> {
  return h("section", {}, h("h1", {}, "Nothing here"), h("p", {}, h("a", { href: BASE }, "Back to today")));
}

async function drawChrome(route: Route): Promise<void> {
  const nav = document.getElementById("tabs");
  if (nav) {
    nav.hidden = !session.user;
    nav.replaceChildren(
      h(
        "ul",
        {},
        TABS.map(([path, label]) =>
          h("li", {}, h("a", { href: BASE + path, "aria-current": route.tab === label ? "page" : null }, label)),
        ),
      ),
    );
  }
  await drawState();
}

/** The header's line about the connection and what is waiting to leave. */
export async function drawState(): Promise<void> {
  const line = document.getElementById("sync-state");
  if (!line) return;
  const accountLink = document.getElementById("account-link");
  if (accountLink) accountLink.hidden = !session.user;
  if (!session.user) {
    line.textContent = "";
    return;
  }
  const records = await store.all();
  const waiting = records.filter((r) => r.state === "pending").length;
  const choose = records.filter((r) => r.state === "conflict" || r.state === "refused").length;
  const parts: string[] = [];
  if (!session.online && outbox.reach !== "signed-out") parts.push("Offline: everything you write is kept on this device");
  if (waiting) parts.push(`${waiting} waiting to send`);
  if (choose) parts.push(`${choose} need${choose === 1 ? "s" : ""} a look`);
  line.textContent = parts.join(" · ");
  if (outbox.reach === "signed-out") {
    // The refresh cookie ran out or was revoked: what waits stays on the device until they sign in.
    const next = location.pathname + location.search;
    line.prepend(
      "Your sign-in has ended. ",
      h("a", { href: `${BASE}sign-in?next=${encodeURIComponent(next)}` }, "Sign in again"),
      parts.length ? " to send what is waiting · " : ".",
    );
  }
}

/** Follow links inside the app without a page load. */
function interceptLinks(): void {
  document.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest("a");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE) || link.hasAttribute("download")) return;
    event.preventDefault();
    history_.pushState(null, "", url.pathname + url.search);
    void render();
  });
  window.addEventListener("popstate", () => void render());
}

function watchConnection(): void {
  const back = async () => {
    session.setOnline(true);
    if (!api.signedIn() && session.user) {
      // Started offline: trade the cookie first, so the first write does not go out without a token.
      await api.refresh().catch(() => undefined);
    }
    await outbox.flush();
    await drawState();
  };
  window.addEventListener("online", () => void back());
  window.addEventListener("offline", () => {
    session.setOnline(false);
    void drawState();
  });
  outbox.onChange(() => {
    session.setOnline(outbox.reach !== "offline");
    void drawState();
    const main = document.getElementById("main");
    // New entries from another device: redraw, unless the patient has started typing here.
    if (outbox.pulled && main && !main.dataset.dirty && !drawing) void render(false);
    else void refreshStates();
  });
  document.addEventListener("input", (event) => {
    const main = document.getElementById("main");
    if (main && main.contains(event.target as Node)) main.dataset.dirty = "1";
  });
}

/** A new version of the app: its service worker has taken over. What is queued stays queued. */
function watchUpdates(): void {
  if (!("serviceWorker" in navigator)) return;
  let hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!hadController) {
      hadController = true;
      return;
    }
    const banner = document.getElementById("update");
    if (!banner) return;
    banner.hidden = false;
    banner.replaceChildren(
      h("p", {}, "A new version of Good Enough is ready. What you wrote is kept."),
      h("button", { type: "button", onclick: () => location.reload() }, "Use it now"),
    );
  });
  void navigator.serviceWorker.register(`${BASE}sw.js`, { scope: BASE }).catch(() => undefined);
}

export async function boot(): Promise<void> {
  nav.render = render;
  nav.go = go;
  interceptLinks();
  outbox.onSafety(showSafety);
  watchConnection();
  watchUpdates();
  const known = await session.start();
  await render();
  if (known) {
    const reach = await session.confirm();
    if (reach === "offline") announce("You're offline. Everything you write is kept on this device.");
    if (reach === "signed-out") {
      // The server ended this sign-in (expired, or signed out everywhere): the journal is not
      // shown again until the password is; what waits to be sent stays for the same patient.
      session.hide();
      announce("Your sign-in has ended. Please sign in again; what you wrote here is kept.");
      const next = location.pathname + location.search;
      go("sign-in", next.startsWith(BASE) && next !== BASE ? { next } : {}, true);
    }
    await drawState();
    if (reach === "signed-in") await outbox.flush();
  }
  // A write that failed for want of a network is retried every minute and when the tab returns.
  window.setInterval(() => void outbox.flush(), 60_000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void outbox.flush();
  });
}
