import { QueryClient } from "@tanstack/react-query";

/**
 * The cache every view reads through. What lives in the store changes only by writes, and the
 * backend announces each committed write with its kind (`store-changed`), so cached answers stay
 * fresh until a change of their kind invalidates them (`applyChange`): no timers, no refetch on
 * focus, no retries that would hide a backend error.
 */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: Number.POSITIVE_INFINITY,
        retry: false,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
      },
      mutations: { retry: false },
    },
  });
}
