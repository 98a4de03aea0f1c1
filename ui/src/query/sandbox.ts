// The built-in sandbox's state. It changes outside the store (its clock, the demo SaaS's calls),
// so these answers are refetched whenever the page opens, and after each action there.
import { useQuery } from "@tanstack/react-query";
import { api } from "../ipc";
import { qk } from "./keys";

export function useSandbox() {
  const status = useQuery({
    queryKey: qk.sandboxStatus,
    queryFn: () => api.sandboxStatus(),
    staleTime: 0,
  });
  const up = !!status.data?.url;
  const products = useQuery({
    queryKey: qk.sandboxProducts,
    queryFn: () => api.sandboxProducts(),
    enabled: up,
    staleTime: 0,
  });
  const activity = useQuery({
    queryKey: qk.sandboxActivity,
    queryFn: () => api.sandboxActivity(),
    enabled: up,
    staleTime: 0,
  });
  return {
    loading: status.isPending || (up && (products.isPending || activity.isPending)),
    status: status.data ?? null,
    products: products.data ?? [],
    activity: activity.data ?? null,
  };
}
