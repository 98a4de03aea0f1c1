// Metadata the backend states, read from the data it sends: which checks a step runs
// (`Step.checks`) and whether an environment's SaaS is the sandbox's demo SaaS
// (`EnvironmentView.demo_saas`). The UI works neither out for itself; these helpers only read
// them, kept apart from `index.ts` so tests that replace the backend keep them.
import type { Checklist, EnvironmentView, EnvKind, Step } from "./bindings";

/** The checks "Run checks" on a step runs, each once, in item order. */
export function stepChecks(step: Step): string[] {
  return step.checks;
}

/** The checks of every step of an environment and of the account-wide steps, each once. */
export function envChecks(checklist: Checklist, env: EnvKind): string[] {
  const steps = checklist.steps.filter((s) => s.env === env || s.env === "none");
  return Array.from(new Set(steps.flatMap(stepChecks)));
}

/** The environment's fulfillment URL is the built-in sandbox's demo SaaS. */
export function usesDemoSaas(env: EnvironmentView): boolean {
  return env.demo_saas;
}
