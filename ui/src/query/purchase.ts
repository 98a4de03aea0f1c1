// Test purchase sessions: the sessions of an environment, the open session's view, and its live
// updates (timeline events, watcher states, verdicts) written straight into the cached view.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { EnvKind, PurchaseView } from "../ipc";
import { api, onPurchaseUpdates } from "../ipc";
import { qk } from "./keys";

export function useScenarios() {
  return useQuery({ queryKey: qk.scenarios, queryFn: () => api.purchaseScenarios() });
}

export function usePurchaseSessions(ws: string, env: EnvKind) {
  return useQuery({
    queryKey: qk.purchaseSessions(ws, env),
    queryFn: () => api.purchaseSessions(ws, env),
  });
}

export function usePurchaseView(ws: string, session: string | null) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: qk.purchaseView(ws, session ?? ""),
    queryFn: () => api.purchaseView(session ?? ""),
    enabled: session !== null,
  });

  useEffect(() => {
    if (!session) return;
    const key = qk.purchaseView(ws, session);
    const update = (f: (v: PurchaseView) => PurchaseView) =>
      client.setQueryData<PurchaseView>(key, (v) => (v ? f(v) : v));
    const off = onPurchaseUpdates({
      event: (sid, e) =>
        sid === session &&
        update((v) =>
          v.detail.events.some((x) => x.seq === e.seq)
            ? v
            : { ...v, detail: { ...v.detail, events: [...v.detail.events, e] } },
        ),
      watcher: (sid, s) =>
        sid === session &&
        update((v) => ({
          ...v,
          watchers: [...v.watchers.filter((w) => w.watcher !== s.watcher), s].sort((a, b) =>
            a.watcher.localeCompare(b.watcher),
          ),
        })),
      verdicts: (sid, verdicts) => {
        if (sid !== session) return;
        update((v) => ({
          ...v,
          detail: { ...v.detail, session: { ...v.detail.session, verdicts } },
        }));
        // Verdicts decide some steps, whose results the store now holds (no store event).
        client.invalidateQueries({ queryKey: key });
      },
    });
    return () => {
      off.then((f) => f()).catch(() => {});
    };
  }, [client, ws, session]);

  return query;
}
