// Invalidation per kind of change: each write makes stale only the answers of its own kind (and
// only in its workspace), never everything.
import { type QueryClient, type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ChangeEvent, EnvKind } from "../ipc";
import { onStoreChanged } from "../ipc";
import { qk } from "./keys";

/**
 * What changed: a store write as the backend announces it (`ChangeEvent`), or a change the UI
 * itself saw finish outside the store's events (a check run's results, the sandbox's state).
 */
export type Change =
  | ChangeEvent
  | { kind: "check_runs"; workspace_id: string; env: EnvKind }
  | { kind: "sandbox" };

/** The cache keys (prefixes) a change makes stale. */
export function keysFor(change: Change): QueryKey[] {
  if (change.kind === "sandbox") return [["sandbox"]];
  if (change.kind === "check_runs") return [["checks", change.workspace_id, change.env]];
  // A change with no workspace (none today but preferences) concerns every workspace.
  const inWs = (kind: string): QueryKey =>
    change.workspace_id === null ? [kind] : [kind, change.workspace_id];
  switch (change.kind) {
    case "preferences":
      return [qk.preferences];
    case "workspaces":
      return [qk.workspaces, inWs("workspace")];
    // The listing page opens a draft or AWS's listing depending on the environment's product.
    case "environment":
      return [inWs("workspace"), inWs("listing")];
    // Statuses move progress, shown per workspace in the list too, and add history rows.
    case "item_status":
      return [qk.workspaces, inWs("workspace"), inWs("itemHistory")];
    // Evidence changes an item's file count as well as its file list; a change set's record
    // (the listing's history) is written with the same kind.
    case "evidence":
      return [inWs("workspace"), inWs("evidence"), inWs("listing")];
    case "purchase":
      return [inWs("purchase")];
    default:
      // A kind this build does not know: refresh everything rather than show stale data.
      return [[]];
  }
}

export async function applyChange(client: QueryClient, change: Change): Promise<void> {
  if (change.kind === "workspaces" && change.workspace_id !== null) {
    // A deleted workspace is forgotten, not read again (a view may still hold it for a moment).
    await client.invalidateQueries({ queryKey: qk.workspaces });
    const list = client.getQueryData<{ workspace: { id: string } }[]>(qk.workspaces);
    const id = change.workspace_id;
    if (Array.isArray(list) && !list.some((w) => w.workspace.id === id)) {
      client.removeQueries({ queryKey: qk.workspace(id) });
    } else {
      await client.invalidateQueries({ queryKey: qk.workspace(id) });
    }
    return;
  }
  await Promise.all(keysFor(change).map((queryKey) => client.invalidateQueries({ queryKey })));
}

/** Keeps the cache in step with the store: every announced write invalidates its kind. */
export function useStoreSync(): void {
  const client = useQueryClient();
  useEffect(() => {
    let off: (() => void) | undefined;
    let gone = false;
    onStoreChanged((e) => {
      applyChange(client, e);
    })
      .then((u) => {
        if (gone) u();
        else off = u;
      })
      .catch(() => {});
    return () => {
      gone = true;
      off?.();
    };
  }, [client]);
}
