// Metadata the backend states, read from the data it sends: which checks a step runs
// (`Step.checks`) and whether an environment's SaaS is the sandbox's demo SaaS
// (`EnvironmentView.demo_saas`). Pure functions of that data, kept apart from `index.ts` so tests
// that replace the backend keep them.
//
// Bindings generated before those fields existed lack them; there the backend's rules are
// applied to the data those bindings carry, so either build shows the same thing.
import type { Checklist, EnvironmentView, EnvKind, Step } from "./bindings";

/** The checks "Run checks" on a step runs, each once, in item order. */
export function stepChecks(
  checklist: Checklist,
  step: Step,
  implemented: readonly string[],
): string[] {
  const stated = (step as Step & { checks?: string[] }).checks;
  if (stated) return stated;
  const ids = step.items
    .map((id) => checklist.items.find((i) => i.id === id)?.check)
    .filter((c): c is string => !!c && implemented.includes(c));
  return Array.from(new Set(ids));
}

/** The checks of every step of an environment and of the account-wide steps, each once. */
export function envChecks(
  checklist: Checklist,
  env: EnvKind,
  implemented: readonly string[],
): string[] {
  const steps = checklist.steps.filter((s) => s.env === env || s.env === "none");
  return Array.from(new Set(steps.flatMap((s) => stepChecks(checklist, s, implemented))));
}

/** The environment's fulfillment URL is the built-in sandbox's demo SaaS. */
export function usesDemoSaas(env: EnvironmentView): boolean {
  const stated = (env as EnvironmentView & { demo_saas?: boolean }).demo_saas;
  if (stated !== undefined) return stated;
  const s = env.settings;
  const endpoint = s.endpoint_url.replace(/\/+$/, "");
  if (s.mode !== "sandbox" || endpoint === "" || !s.fulfillment_url.startsWith(endpoint)) {
    return false;
  }
  const path = s.fulfillment_url.slice(endpoint.length);
  return path.startsWith("/_demo-saas/") && path.endsWith("/marketplace/register");
}
