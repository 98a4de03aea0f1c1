// Step checks and the demo SaaS are what the backend states; the UI works neither out itself.
import { describe, expect, it } from "vitest";
import type { Checklist, EnvironmentView, Step } from "../ipc";
import { envChecks, stepChecks, usesDemoSaas } from "../ipc/meta";
import { checklist, emptySettings } from "./fixtures";

const withChecks = (cl: Checklist, checks: Record<string, string[]>): Checklist => ({
  ...cl,
  steps: cl.steps.map((s): Step => ({ ...s, checks: checks[s.id] ?? [] })),
});

describe("a step's checks", () => {
  it("are what the backend says the step runs", () => {
    const stated = withChecks(checklist, { s01: ["identity.caller", "identity.permissions"] });
    expect(stepChecks(stated.steps[0])).toEqual(["identity.caller", "identity.permissions"]);
    expect(stepChecks(stated.steps[1])).toEqual([]);
  });

  it("of an environment, are its steps' and the account-wide steps', each once", () => {
    const stated = withChecks(
      {
        ...checklist,
        steps: [
          ...checklist.steps,
          { ...checklist.steps[0], id: "s03", env: "staging" },
          { ...checklist.steps[0], id: "s07", env: "production" },
        ],
      },
      {
        s01: ["identity.caller"],
        s03: ["registration.https", "identity.caller"],
        s07: ["posture.root_account"],
      },
    );
    expect(envChecks(stated, "staging")).toEqual(["identity.caller", "registration.https"]);
    expect(envChecks(stated, "production")).toEqual(["identity.caller", "posture.root_account"]);
  });
});

describe("the demo SaaS", () => {
  const env = (demo_saas: boolean): EnvironmentView => ({
    kind: "staging",
    settings: {
      ...emptySettings,
      mode: "sandbox",
      endpoint_url: "http://127.0.0.1:8484",
      fulfillment_url: "http://127.0.0.1:8484/_demo-saas/staging/marketplace/register",
    },
    has_access_keys: false,
    keychain_problem: null,
    updated_at: "",
    demo_saas,
  });

  it("is what the backend says about the environment, whatever its URL looks like", () => {
    expect(usesDemoSaas(env(true))).toBe(true);
    expect(usesDemoSaas(env(false))).toBe(false);
  });
});
