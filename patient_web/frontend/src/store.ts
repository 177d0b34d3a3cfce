/**
 * The phone's copy of the journal, in IndexedDB: what the server last said about each entry,
 * and what the patient wrote that has not left yet. A write lands here first, so that closing
 * the tab, losing the network or a new version of the app loses nothing; `outbox.ts` sends it.
 *
 * One record per entry, keyed `kind:id`. Its `state`: `synced` (local copy = server's),
 * `pending` (a write waiting: `op` says which), `conflict` (the server changed it meanwhile:
 * `theirs` holds the server's version beside ours), `refused` (the server said no: `error`).
 */
import type { Bodies, Entries, Kind } from "./api.js";

export type State = "synced" | "pending" | "conflict" | "refused";
export type Op = "put" | "delete" | "confirm" | "decline";

export interface Rec<K extends Kind = Kind> {
  key: string;
  kind: K;
  id: string;
  server: Entries[K] | null;
  local: Bodies[K] | null;
  op: Op | null;
  state: State;
  /** At a conflict: the server's version (possibly under another id, for the same day or week). */
  theirs: Entries[K] | null;
  error: string | null;
  queuedAt: number;
}

const NAME = "good-enough";
// Raise with an upgrade step that keeps every record: a new version of the app must never drop
// what an old one queued.
const VERSION = 1;

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const database = request.result;
      if (!database.objectStoreNames.contains("records")) database.createObjectStore("records", { keyPath: "key" });
      if (!database.objectStoreNames.contains("meta")) database.createObjectStore("meta", { keyPath: "name" });
    };
    request.onsuccess = () => {
      // Another tab opening a newer version asks us to step aside; reloading picks up the new code.
      request.result.onversionchange = () => request.result.close();
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
  return opened;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name: "records" | "meta", mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(name, mode).objectStore(name);
}

export function keyOf(kind: Kind, id: string): string {
  return `${kind}:${id}`;
}

export async function get<K extends Kind>(kind: K, id: string): Promise<Rec<K> | undefined> {
  return (await done((await store("records", "readonly")).get(keyOf(kind, id)))) as Rec<K> | undefined;
}

export async function all(): Promise<Rec[]> {
  return (await done((await store("records", "readonly")).getAll())) as Rec[];
}

export async function save(rec: Rec): Promise<void> {
  await done((await store("records", "readwrite")).put(rec));
}

export async function remove(kind: Kind, id: string): Promise<void> {
  await done((await store("records", "readwrite")).delete(keyOf(kind, id)));
}

export async function getMeta<T>(name: string): Promise<T | undefined> {
  const row = (await done((await store("meta", "readonly")).get(name))) as { value: T } | undefined;
  return row?.value;
}

export async function setMeta(name: string, value: unknown): Promise<void> {
  await done((await store("meta", "readwrite")).put({ name, value }));
}

export async function deleteMeta(name: string): Promise<void> {
  await done((await store("meta", "readwrite")).delete(name));
}

/** Everything, on sign-out or when another person signs in on this device. */
export async function clear(): Promise<void> {
  const database = await db();
  const tx = database.transaction(["records", "meta"], "readwrite");
  tx.objectStore("records").clear();
  tx.objectStore("meta").clear();
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

/** A blank record for a new entry with a client-chosen id. */
export function fresh<K extends Kind>(kind: K, id: string = crypto.randomUUID()): Rec<K> {
  return { key: keyOf(kind, id), kind, id, server: null, local: null, op: null, state: "synced", theirs: null, error: null, queuedAt: 0 };
}

/** What the screens show: the patient's pending words over the server's copy. */
export function current<K extends Kind>(rec: Rec<K>): Partial<Entries[K]> {
  return { ...(rec.server ?? {}), ...(rec.local ?? {}) } as Partial<Entries[K]>;
}
