/** What my therapist sees: sharing, link by link, what is shared and what is private, and who
 * read what, in words, newest first. */
import * as api from "../api.js";
import { announce, h } from "../dom.js";
import { showDay, showMoment, showTime, showWeek } from "../dates.js";
import * as session from "../session.js";
import * as store from "../store.js";
import { problem } from "./forms.js";

/** What each kind of read shows a therapist, as the patient would say it. */
const READ: Record<api.AccessLog["what"], string> = {
  roster: "your week at a glance, in their list of patients",
  patient: "your profile and your practices",
  commitments: "your practices",
  progress: "your progress, week by week",
  entries: "the entries you share",
  brief: "your summary before a session",
  sessions: "the notes of your sessions",
  flag_seen: "your request for a check-in and marked it seen",
};

const NAMES: Record<string, [string, string]> = {
  reflection: ["daily reflection", "daily reflections"],
  pride_entry: ["week of things you're proud of", "weeks of things you're proud of"],
  experiment: ["experiment", "experiments"],
};

function counted(kind: string, n: number): string {
  const [one, many] = NAMES[kind] ?? [kind, kind];
  return `${n} ${n === 1 ? one : many}`;
}

/** One entry as a list names it: its day, its week, or its title. */
function label(kind: string, entry: { date?: string; week?: string; title?: string | null }): string {
  if (kind === "reflection" && entry.date) return showDay(entry.date);
  if (kind === "pride_entry" && entry.week) return `the week of ${showWeek(entry.week)}`;
  return entry.title || "An experiment";
}

/** The entries on this device, shared and private, by kind (commitments are always seen). */
async function entryLists(): Promise<{ shared: Map<string, string[]>; kept: Map<string, string[]> }> {
  const shared = new Map<string, string[]>();
  const kept = new Map<string, string[]>();
  const records = (await store.all()).filter((rec) => rec.kind !== "commitment" && rec.op !== "delete");
  const sortKey = (rec: store.Rec) => {
    const entry = store.current(rec) as { date?: string; week?: string; created_at?: string };
    return entry.date ?? entry.week ?? entry.created_at ?? "";
  };
  records.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1)); // newest first
  for (const rec of records) {
    const entry = store.current(rec) as { shared?: boolean; deleted_at?: string | null; date?: string; week?: string; title?: string | null };
    if (entry.deleted_at) continue;
    const into = entry.shared === false ? kept : shared;
    into.set(rec.kind, [...(into.get(rec.kind) ?? []), label(rec.kind, entry)]);
  }
  return { shared, kept };
}

/** Each kind as a disclosure: "21 daily reflections", opening to the list of them. */
function listed(entries: Map<string, string[]>): HTMLElement[] {
  return ["reflection", "pride_entry", "experiment"]
    .filter((kind) => entries.get(kind)?.length)
    .map((kind) => {
      const names = entries.get(kind) ?? [];
      return h("details", {}, h("summary", {}, counted(kind, names.length)), h("ul", {}, names.map((name) => h("li", {}, name))));
    });
}

/** One entry a read showed, as the patient would name it: "your reflection of Tue 24 Nov". */
function entryRead(entry: api.AccessLog["entries"][number]): string {
  if (entry.type === "pride_entry" && entry.week) return `your pride entry for the week of ${showWeek(entry.week)}`;
  const day = entry.date ? ` of ${showDay(entry.date)}` : "";
  return entry.type === "reflection" ? `your reflection${day}` : `your experiment${day}`;
}

/** When a row's reads were: "on Wed 25 Nov, 16:40" for one, "10 times on Wed 25 Nov, last
 * at 16:40" for a day's many (the server keeps one row per reader, kind of read and day). */
function when(read: api.AccessLog, zone: string): string {
  if (read.count === 1) return `on ${showMoment(read.at, zone)}`;
  return `${read.count} times on ${showDay(read.day)}, last at ${showTime(read.at, zone)}`;
}

/** One line of the log: what was looked at and when, and the shared entries whose words it showed. */
export interface ReadLine {
  text: string;
  showed: string[];
}

/** The log in words, newest first: a line per row, each naming the entries the day's reads showed. */
export function readLines(reads: api.AccessLog[], zone: string): ReadLine[] {
  return reads.flatMap((read) => {
    const who = read.therapist.display_name;
    if (read.what === "flag_seen") {
      // Marking seen what a patient wrote that sounded hard names the entry; a check-in has none,
      // so marks beyond the entries named were of check-ins.
      const lines: ReadLine[] = read.entries.map((entry) => ({ text: `${who} marked seen what you wrote in ${entryRead(entry)} on ${showDay(read.day)}`, showed: [] }));
      if (read.count > read.entries.length) lines.push({ text: `${who} looked at ${READ.flag_seen} ${when(read, zone)}`, showed: [] });
      return lines;
    }
    const showed = read.entries.map(entryRead);
    return [{ text: `${who} looked at ${READ[read.what]} ${when(read, zone)}${showed.length ? ", and read:" : ""}`, showed }];
  });
}

function linkCard(link: api.CareLink): HTMLElement {
  const name = link.therapist?.display_name ?? "Your therapist";
  const box = h("input", { type: "checkbox", id: `share-${link.id}`, checked: link.share_entries });
  const said = h("p", { class: "hint" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const describe = (on: boolean) => {
    said.textContent = on
      ? `${name} can read the entries you mark shared. Any single entry can still be private.`
      : `${name} sees none of your entries now: only your practices and how often you practised.`;
  };
  describe(link.share_entries);
  let version = link.version;
  box.addEventListener("change", async () => {
    error.hidden = true;
    try {
      const changed = await api.updateCareLink(link.id, box.checked, version);
      version = changed.version;
      describe(changed.share_entries);
      announce(changed.share_entries ? `${name} can read your shared entries again.` : `${name} no longer sees your entries.`);
    } catch (failure) {
      box.checked = !box.checked;
      error.textContent = problem(failure).map((e) => e.detail).join(" ");
      error.hidden = false;
    }
  });
  return h("li", { class: "card" }, h("h3", {}, name), h("div", { class: "check" }, box, h("label", { for: box.id }, "Share my entries")), said, error);
}

export async function sharing(): Promise<HTMLElement> {
  let links: api.CareLink[] | null = null;
  let reads: api.AccessLog[] | null = null;
  try {
    [links, reads] = await Promise.all([api.careLinks(), api.accessLog()]);
    links = links.filter((l) => l.status === "active");
  } catch (error) {
    if (!(error instanceof api.Offline || error instanceof api.SignedOut)) throw error;
  }
  const entries = await entryLists();
  const sharing = (links ?? []).filter((link) => link.share_entries).map((link) => link.therapist?.display_name ?? "your therapist");
  const zone = session.zone();
  const lines = reads ? readLines(reads, zone) : null;
  return h(
    "section",
    {},
    h("h1", {}, "What my therapist sees"),
    h("h2", {}, "Sharing"),
    links === null
      ? h("p", {}, "Shown when you're online.")
      : links.length
        ? h("ul", { class: "cards" }, links.map(linkCard))
        : h("p", {}, "You're not linked with a therapist. ", h("a", { href: "/journal/join" }, "Join with an invite code"), "."),
    h("h2", {}, "Your entries"),
    h("h3", {}, sharing.length ? `Shared with ${sharing.join(" and ")}` : "Marked shared (no one sees them while sharing is off)"),
    entries.shared.size ? listed(entries.shared) : h("p", {}, "None of your entries is marked shared."),
    h("h3", {}, "Private, seen by no one"),
    entries.kept.size ? listed(entries.kept) : h("p", {}, "None."),
    h("p", { class: "hint" }, "Change one from History. Your practices, and how often you practised, are always part of what a linked therapist sees; your reminders, e-mail and password never are."),
    h("h2", {}, "Who looked, and when"),
    lines === null
      ? h("p", {}, "Shown when you're online.")
      : lines.length
        ? h("ul", { class: "reads" }, lines.map((line) => h("li", {}, line.text, line.showed.length ? h("ul", {}, line.showed.map((entry) => h("li", {}, entry))) : "")))
        : h("p", {}, "No one has looked at anything of yours yet."),
  );
}
