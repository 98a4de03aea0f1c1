import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { applyChange, type Change } from "../../query/changes";

/** The type of `useAct().act`: runs one action of the page, with the page's busy flag. */
export type Act = (fn: () => Promise<unknown>, change?: Change) => Promise<void>;

/**
 * One action at a time on the page: `busy` while it runs, its error to `onError`. Store writes
 * announce themselves; `change` names what else the action changed (the sandbox's state).
 */
export function useAct(onError: (e: unknown) => void): { busy: boolean; act: Act } {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const act = useCallback<Act>(
    async (fn, change) => {
      setBusy(true);
      try {
        await fn();
      } catch (e) {
        onError(e);
      } finally {
        setBusy(false);
        if (change) await applyChange(client, change);
      }
    },
    [client, onError],
  );
  return { busy, act };
}
