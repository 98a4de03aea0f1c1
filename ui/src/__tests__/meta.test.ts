// Step checks and the demo SaaS come from what the backend states; bindings that predate those
// fields get the same answers from the same rules.
import { describe, expect, it } from "vitest";
import type { Checklist, EnvironmentView, Step } from "../ipc";
import { envChecks, stepChecks, usesDemoSaas } from "../ipc/meta";
import { checklist, emptySettings } from "./fixtures";

const withChecks = (cl: Checklist, checks: Record<string, string[]>): Checklist => ({
  ...cl,
  steps: cl.steps.map((s) => ({ ...s, checks: checks[s.id] ?? [] }) as Step),
});

describe("a step's checks", () => {
  const s01 = checklist.steps[0];

  it("are what the backend says the step runs", () => {
    const stated = withChecks(checklist, { s01: ["identity.caller", "identity.permissions"] });
    // The backend's list wins over anything the UI could work out from the items.
    expect(stepChecks(stated, stated.steps[0], [])).toEqual([
      "identity.caller",
      "identity.permissions",
    ]);
    expect(stepChecks(stated, stated.steps[1], ["identity.caller"])).toEqual([]);
  });

  it("without the backend's list, are the items' checks this build has", () => {
    expect(stepChecks(checklist, s01, ["identity.caller"])).toEqual(["identity.caller"]);
    expect(stepChecks(checklist, s01, [])).toEqual([]);
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
    expect(envChecks(stated, "staging", [])).toEqual(["identity.caller", "registration.https"]);
    expect(envChecks(stated, "production", [])).toEqual([
      "identity.caller",
      "posture.root_account",
    ]);
  });
});

describe("the demo SaaS", () => {
  const demo: EnvironmentView = {
    kind: "staging",
    settings: {
      ...emptySettings,
      mode: "sandbox",
      endpoint_url: "http://127.0.0.1:8484",
      fulfillment_url: "http://127.0.0.1:8484/_demo-saas/staging/marketplace/register",
    },
    has_access_keys: false,
    updated_at: "",
  };
  const stating = (v: EnvironmentView, demo_saas: boolean) =>
    ({ ...v, demo_saas }) as EnvironmentView;

  it("is what the backend says about the environment", () => {
    expect(usesDemoSaas(stating(demo, true))).toBe(true);
    // A URL that looks like the demo's does not make it one when the backend says otherwise.
    expect(usesDemoSaas(stating(demo, false))).toBe(false);
  });

  it("without the backend's flag, is the sandbox's own demo landing page only", () => {
    expect(usesDemoSaas(demo)).toBe(true);
    const s = demo.settings;
    expect(usesDemoSaas({ ...demo, settings: { ...s, mode: "real" } })).toBe(false);
    expect(
      usesDemoSaas({
        ...demo,
        settings: {
          ...s,
          fulfillment_url: "https://evil.example.com/_demo-saas/x/marketplace/register",
        },
      }),
    ).toBe(false);
    expect(
      usesDemoSaas({ ...demo, settings: { ...s, endpoint_url: "http://127.0.0.1:8484/" } }),
    ).toBe(true);
  });
});
