/**
 * A patient's first minutes with the API, written as a client team would write them, so that
 * `tsc --strict` checks the generated `paths` type against real use. `make clients` only
 * type-checks this file; nothing runs it.
 *
 * Types come from paths, not from component names: those are the schema's own business.
 */
import createClient from "openapi-fetch";
import type { paths } from "../build/typescript/schema";

type SyncPage = paths["/api/v1/sync/"]["get"]["responses"][200]["content"]["application/json"];
type SyncChange = SyncPage["changes"][number];

/** Every error body of the contract: {type, errors: [{code, detail, attr}]}. */
interface ErrorBody {
  type: string;
  errors: { code: string; detail: string; attr: string | null }[];
}

function fail(what: string, status: number, error: ErrorBody): never {
  const why = error.errors.map((e) => `${e.attr ?? "(request)"}: ${e.code}: ${e.detail}`);
  throw new Error(`${what} answered ${status} ${error.type}: ${why.join("; ")}`);
}

export async function firstMinutes(baseUrl: string, email: string, password: string): Promise<void> {
  const anonymous = createClient<paths>({ baseUrl });

  const registered = await anonymous.POST("/api/v1/auth/register/", {
    body: { email, password, display_name: "Sam", role: "patient", timezone: "Europe/London" },
  });
  if (registered.error) fail("register", registered.response.status, registered.error);
  const me: { id: string; role: "patient" | "therapist" } = registered.data;

  const login = await anonymous.POST("/api/v1/auth/token/", { body: { email, password } });
  if (login.error) fail("login", login.response.status, login.error);
  const tokens: { access: string; refresh: string } = login.data;

  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${tokens.access}` } });

  const reflection = await api.POST("/api/v1/reflections/", {
    body: { effort: "Tasted the sauce before plating, not after.", mood: 3 },
  });
  if (reflection.error) fail("create reflection", reflection.response.status, reflection.error);
  // Fields the server always sends must be required in the response schema, or every client
  // gets them as optional: these typed reads check that.
  const kindWords: string = reflection.data.kind_words;
  const day: string = reflection.data.date;

  // Offline-first: the phone picks the id, PUT creates (201) or replaces (200).
  const prideId = crypto.randomUUID();
  const created = await api.PUT("/api/v1/pride-entries/{id}/", {
    params: { path: { id: prideId } },
    body: { week: "2026-W48", items: ["Tried the saffron risotto", "Left the kitchen at nine"] },
  });
  if (created.error) fail("put pride entry", created.response.status, created.error);
  const etag = created.response.headers.get("ETag") ?? `"${created.data.version}"`;
  const week: string = created.data.week;

  const changed = await api.PATCH("/api/v1/pride-entries/{id}/", {
    params: { path: { id: prideId }, header: { "If-Match": etag } },
    body: { note: "Good enough." },
  });
  if (changed.error && changed.error.errors.some((e) => e.code === "precondition_failed")) {
    // Someone else changed it first: read it again, then decide. `code` is the operation's
    // union of codes, so a misspelt one ("precondition_fail") does not compile.
  } else if (changed.error) {
    fail("patch pride entry", changed.response.status, changed.error);
  } else {
    const items: string[] = changed.data.items;
    const shared: boolean = changed.data.shared;
    console.log(me.id, kindWords, day, week, items.length, shared, changed.data.version);
  }

  // Clearing a nullable field: null is sent as null (leaving it out keeps the mood).
  const cleared = await api.PATCH("/api/v1/reflections/{id}/", {
    params: { path: { id: reflection.data.id } },
    body: { mood: null },
  });
  if (cleared.error) fail("clear the mood", cleared.response.status, cleared.error);
  const noMood: number | null = cleared.data.mood;
  console.log(noMood);

  let cursor: string | undefined;
  for (;;) {
    const page = await api.GET("/api/v1/sync/", { params: { query: { cursor } } });
    if (page.error) fail("sync", page.response.status, page.error);
    for (const change of page.data.changes) console.log(describeChange(change));
    cursor = page.data.cursor;
    if (!page.data.has_more) break;
  }

  const progress = await api.GET("/api/v1/progress/", { params: { query: { weeks: 4 } } });
  if (progress.error) fail("progress", progress.response.status, progress.error);
  for (const week of progress.data.weeks) {
    const mood: number | null = week.mood_avg;
    console.log(week.week, week.experiments_done, mood);
  }
}

function describeChange(change: SyncChange): string {
  const gone = change.deleted ? " (deleted)" : "";
  switch (change.type) {
    case "reflection": {
      const effort: string | undefined = change.data?.effort;
      return `reflection ${change.id}${gone}: ${effort ?? ""}`;
    }
    case "pride_entry": {
      const items: string[] = change.data?.items ?? [];
      return `pride entry ${change.id}${gone}: ${items.length} things`;
    }
    case "experiment": {
      const title: string | undefined = change.data?.title;
      return `experiment ${change.id}${gone}: ${title ?? ""}`;
    }
    case "commitment": {
      const title: string | undefined = change.data?.title;
      return `commitment ${change.id}${gone}: ${title ?? ""}`;
    }
    default: {
      const unknown: never = change; // a fifth kind in the schema fails to compile here
      return `a kind this client does not know: ${JSON.stringify(unknown)}`;
    }
  }
}
