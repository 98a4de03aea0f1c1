// Check runs: the latest result of each check, the history of runs, and a run in progress.
// A run is a mutation, so its progress outlives the view that started it: leave the step and
// come back, and the bar still counts.
import { useIsMutating, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { EnvKind, StoredCheckResult } from "../ipc";
import { api, onCheckProgress } from "../ipc";
import { applyChange } from "./changes";
import { qk } from "./keys";

export type RunProgress = { done: number; total: number };

const runKey = (ws: string, env: EnvKind) => ["runChecks", ws, env] as const;

export function useCheckResults(ws: string, env: EnvKind) {
  return useQuery({
    queryKey: qk.checkResults(ws, env),
    queryFn: () => api.latestCheckResults(ws, env),
    select: (list) => new Map(list.map((r) => [r.result.id, r])),
  });
}

export function useCheckHistory(ws: string, env: EnvKind) {
  return useQuery({
    queryKey: qk.checkHistory(ws, env),
    queryFn: () => api.checkHistory(ws, env),
  });
}

/** Runs the checks of a step (or of the whole environment when `stepId` is null). */
export function useCheckRun(ws: string, env: EnvKind, onError: (e: unknown) => void) {
  const client = useQueryClient();
  const progressKey = qk.checkProgress(ws, env);
  const mutation = useMutation({
    mutationKey: runKey(ws, env),
    mutationFn: async (v: { stepId: string | null; total: number }) => {
      client.setQueryData<RunProgress>(progressKey, { done: 0, total: v.total });
      const off = await onCheckProgress((e) => {
        if (e.workspace_id !== ws || !e.finished) return;
        const finished = e.finished;
        client.setQueryData<RunProgress>(progressKey, (p) =>
          p ? { done: p.done + 1, total: e.total } : p,
        );
        // Each result shows as it lands, before the run ends.
        const stored: StoredCheckResult = {
          run_id: e.run_id,
          at: new Date().toISOString(),
          result: finished,
        };
        client.setQueryData<StoredCheckResult[]>(qk.checkResults(ws, env), (list) => [
          ...(list ?? []).filter((r) => r.result.id !== finished.id),
          stored,
        ]);
      }).catch(() => () => {});
      try {
        return await api.runChecks(ws, env, v.stepId);
      } finally {
        off();
      }
    },
    onError,
    onSettled: async () => {
      client.setQueryData(progressKey, null);
      await applyChange(client, { kind: "check_runs", workspace_id: ws, env });
    },
  });
  const running = useIsMutating({ mutationKey: runKey(ws, env) }) > 0;
  const progress = useQuery<RunProgress | null>({
    queryKey: progressKey,
    queryFn: () => null,
    enabled: false,
  }).data;
  return {
    running: running ? (progress ?? { done: 0, total: 0 }) : null,
    run: (stepId: string | null, total: number) => mutation.mutate({ stepId, total }),
  };
}
