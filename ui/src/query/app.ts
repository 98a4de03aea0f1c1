// The app's own data: what it needs before the wizard is interactive, the preferences, the
// workspaces, and an item's history and evidence files.
import { type QueryClient, queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Bootstrap, Preferences } from "../ipc";
import { api } from "../ipc";
import { qk } from "./keys";

/** Marks the queries without which the app cannot start: their first failure is fatal. */
export const startup = { startup: true } as const;

export const defaultPrefs: Preferences = {
  language: "en",
  theme: "system",
  actor: "",
  last_workspace_id: null,
};

export const appInfoQuery = queryOptions({
  queryKey: qk.appInfo,
  queryFn: () => api.appInfo(),
  meta: startup,
});
export const checklistQuery = queryOptions({
  queryKey: qk.checklist,
  queryFn: () => api.getChecklist(),
  meta: startup,
});
export const preferencesQuery = queryOptions({
  queryKey: qk.preferences,
  queryFn: () => api.getPreferences(),
  meta: startup,
});
export const workspacesQuery = queryOptions({
  queryKey: qk.workspaces,
  queryFn: () => api.listWorkspaces(),
  meta: startup,
});

/**
 * Fills the cache with the backend's one start-up answer, so the first render finds everything
 * the first screen needs and asks for nothing (the queries never go stale on their own).
 */
export function seedStartup(client: QueryClient, b: Bootstrap): void {
  client.setQueryData(appInfoQuery.queryKey, b.info);
  client.setQueryData(preferencesQuery.queryKey, b.preferences);
  client.setQueryData(checklistQuery.queryKey, b.checklist);
  client.setQueryData(workspacesQuery.queryKey, b.workspaces);
  if (b.workspace) client.setQueryData(qk.workspace(b.workspace.workspace.id), b.workspace);
}

export function useWorkspace(id: string | null) {
  return useQuery({
    queryKey: qk.workspace(id ?? ""),
    queryFn: () => api.getWorkspace(id ?? ""),
    enabled: id !== null,
    // Another workspace being opened keeps the current one on screen until it arrives; with
    // none left (the last one deleted), nothing stays.
    placeholderData: (previous) => (id === null ? undefined : previous),
  });
}

/**
 * Saves preferences: shown at once, then replaced by what the backend stored. Reads the cache,
 * not a render's copy, so two quick changes (language, then theme) both stick.
 */
export function useSavePreferences(onError: (e: unknown) => void) {
  const client = useQueryClient();
  return useCallback(
    async (next: Partial<Preferences>) => {
      const key = preferencesQuery.queryKey;
      const merged: Preferences = { ...(client.getQueryData(key) ?? defaultPrefs), ...next };
      client.setQueryData(key, merged);
      try {
        client.setQueryData(key, await api.setPreferences(merged));
      } catch (e) {
        onError(e);
        await client.invalidateQueries({ queryKey: qk.preferences });
      }
    },
    [client, onError],
  );
}

export function useItemHistory(ws: string, item: string, open: boolean) {
  return useQuery({
    queryKey: qk.itemHistory(ws, item),
    queryFn: () => api.itemHistory(ws, item),
    enabled: open,
  });
}

/** An item's files; asked for only when the item has some. */
export function useEvidence(ws: string, item: string, count: number) {
  return useQuery({
    queryKey: qk.evidence(ws, item),
    queryFn: () => api.listEvidence(ws, item),
    enabled: count > 0,
    select: (list) => (count > 0 ? list : []),
  });
}

export function useAwsProfiles() {
  return useQuery({
    queryKey: qk.awsProfiles,
    // No ~/.aws/config is normal: an empty list, not an error.
    queryFn: () => api.awsProfiles().catch(() => []),
  });
}
