// The one door to the backend. Components import `api` from here, never `bindings.ts` or
// `@tauri-apps/api` directly, so tests can replace this module and nothing else.
import type { AppError, ChangeEvent, CheckProgress } from "./bindings";
import { commands, events } from "./bindings";

export type * from "./bindings";

/** A backend error as the UI sees it: the `{code, message}` every command returns. */
export class IpcError extends Error {
  readonly code: AppError["code"] | "ipc";
  constructor(err: AppError | string) {
    const e: AppError | { code: "ipc"; message: string } =
      typeof err === "string" ? { code: "ipc", message: err } : err;
    super(e.message);
    this.code = e.code;
  }
}

type Commands = typeof commands;
type Ok<R> = R extends Promise<{ status: "ok"; data: infer T } | { status: "error" }> ? T : never;
export type Api = {
  [K in keyof Commands]: (...args: Parameters<Commands[K]>) => Promise<Ok<ReturnType<Commands[K]>>>;
};

function unwrap<K extends keyof Commands>(name: K): Api[K] {
  const fn = commands[name] as (
    ...a: unknown[]
  ) => Promise<{ status: "ok"; data: unknown } | { status: "error"; error: AppError | string }>;
  return (async (...args: unknown[]) => {
    const r = await fn(...args);
    if (r.status === "error") throw new IpcError(r.error);
    return r.data;
  }) as unknown as Api[K];
}

export const api = Object.fromEntries(
  (Object.keys(commands) as (keyof Commands)[]).map((k) => [k, unwrap(k)]),
) as Api;

/** Calls `cb` after every committed database write; returns the unsubscribe function. */
export function onStoreChanged(cb: (e: ChangeEvent) => void): Promise<() => void> {
  return events.storeChanged.listen((e) => cb(e.payload as unknown as ChangeEvent));
}

/** Calls `cb` as each check of a run starts and finishes; returns the unsubscribe function. */
export function onCheckProgress(cb: (e: CheckProgress) => void): Promise<() => void> {
  return events.checkProgress.listen((e) => cb(e.payload as CheckProgress));
}

// The native dialogs open from Rust: the paths they return are the only ones the file commands
// accept (the window has no dialog permission of its own).

/** Native file picker (multiple files); empty when cancelled. */
export async function pickFiles(): Promise<string[]> {
  return api.pickFiles();
}

/** Native "save as" for a TOML file (an environment or listing file); null when cancelled. */
export async function pickSaveToml(
  defaultPath: string,
  label = "Environment file",
): Promise<string | null> {
  return api.pickSaveFile(defaultPath, label, "toml");
}

/** Native file picker for one TOML file (an environment or listing file); null when cancelled. */
export async function pickOpenToml(label = "Environment file"): Promise<string | null> {
  return api.pickOpenFile(label, "toml");
}

/** Opens an https link in the system browser. */
export async function openExternal(url: string): Promise<void> {
  const { openUrl } = await import("@tauri-apps/plugin-opener");
  await openUrl(url);
}

/** Live updates of test purchase sessions; returns the unsubscribe function. */
export async function onPurchaseUpdates(cb: {
  event: (sessionId: string, e: import("./bindings").TimelineEvent) => void;
  watcher: (sessionId: string, s: import("./bindings").WatcherStatus) => void;
  verdicts: (sessionId: string, v: import("./bindings").Verdict[]) => void;
}): Promise<() => void> {
  const offs = await Promise.all([
    events.purchaseEvent.listen((e) => cb.event(e.payload.session_id, e.payload.event)),
    events.purchaseWatcher.listen((e) => cb.watcher(e.payload.session_id, e.payload.status)),
    events.purchaseVerdicts.listen((e) => cb.verdicts(e.payload.session_id, e.payload.verdicts)),
  ]);
  return () => {
    for (const off of offs) off();
  };
}

/** Native "save as" for a report; null when cancelled. */
export async function pickSaveReport(
  defaultPath: string,
  extension: string,
  filterName: string,
): Promise<string | null> {
  return api.pickSaveFile(defaultPath, filterName, extension);
}
