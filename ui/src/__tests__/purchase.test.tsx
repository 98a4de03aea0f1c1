import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { PurchaseView, TimelineEvent, Verdict, WorkspaceDetail } from "../ipc";
import { emptySettings } from "./fixtures";
import { renderWith } from "./render";

const calls: string[] = [];
const live: {
  event?: (sid: string, e: TimelineEvent) => void;
  verdicts?: (sid: string, v: Verdict[]) => void;
} = {};

const stored: { events: TimelineEvent[]; verdicts: Verdict[] } = { events: [], verdicts: [] };
const land = (e: TimelineEvent) => {
  stored.events.push(e);
  live.event?.("s-1", e);
};
const decide = (v: Verdict[]) => {
  stored.verdicts = v;
  live.verdicts?.("s-1", v);
};

const session = {
  id: "s-1",
  workspace_id: "w-1",
  env: "staging" as const,
  buyer_account: "444455556666",
  mode: "sandbox" as const,
  delete_messages: false,
  started_at: "2026-11-23T10:00:00Z",
  ended_at: null,
  state: "running" as const,
  license_arn: null,
  verdicts: [],
  started_by: "tester",
};
const view: PurchaseView = {
  detail: { session, events: [], results: [] },
  running: true,
  watchers: [
    {
      watcher: "cloud_trail",
      state: "retrying",
      target: "ResolveCustomer, BatchMeterUsage",
      error: "LookupEvents: could not reach the endpoint (connection failed)",
      retry_in_ms: 4000,
      polls: 0,
      events: 0,
      updated_at: "2026-11-23T10:00:00Z",
    },
  ],
};

vi.mock("../ipc", () => ({
  api: {
    purchaseScenarios: async () => [
      {
        id: "contract_change",
        item_key: "scenario.contract_change",
        title: {
          en: "Contract changed on the Marketplace page",
          ja: "Marketplace ページで契約を変更",
        },
        steps: [
          {
            action: { en: "Update the contract", ja: "契約を更新" },
            expect: { en: "entitlement-updated arrives", ja: "entitlement-updated が届く" },
            verdict: "entitlement_after_change",
          },
          {
            action: { en: "Sign in to the SaaS", ja: "SaaS にサインイン" },
            expect: { en: "Sign-in works", ja: "サインインできる" },
            verdict: null,
          },
        ],
      },
    ],
    purchaseSessions: async () => [session],
    // The backend stores what it announces: a later read returns it too.
    purchaseView: async (): Promise<PurchaseView> => ({
      ...view,
      detail: {
        ...view.detail,
        session: { ...session, verdicts: [...stored.verdicts] },
        events: [...stored.events],
      },
    }),
    purchaseStart: async (req: { buyer_account: string; delete_messages: boolean }) => {
      calls.push(`start:${req.buyer_account}:${req.delete_messages}`);
      return session;
    },
    purchaseSandbox: async (_id: string, action: string) => {
      calls.push(`sandbox:${action}`);
    },
    purchaseSetStep: async (_id: string, sc: string, step: number, outcome: string) => {
      calls.push(`step:${sc}:${step}:${outcome}`);
      return {};
    },
  },
  onPurchaseUpdates: async (cb: typeof live) => {
    Object.assign(live, cb);
    return () => {};
  },
  onStoreChanged: async () => () => {},
  pickFiles: async () => [],
}));

const { PurchasePage } = await import("../components/purchase/PurchasePage");

const detail = {
  workspace: {
    id: "w-1",
    name: "Demo",
    product_name: "",
    is_demo: true,
    created_at: "",
    updated_at: "",
  },
  environments: [
    {
      kind: "staging",
      settings: {
        ...emptySettings,
        mode: "sandbox",
        test_buyer_account_ids: ["444455556666"],
        dimensions: [{ key: "seats", name: "Seats", kind: "Entitled" }],
      },
      has_access_keys: false,
      keychain_problem: null,
      updated_at: "",
    },
  ],
  items: [],
  steps: [],
  phases: [],
} as unknown as WorkspaceDetail;

describe("the test purchases page", () => {
  it("starts a session, shows watcher errors, live events with raw payloads, verdicts and runbook steps", async () => {
    const user = userEvent.setup();
    renderWith(<PurchasePage detail={detail} onError={(e) => calls.push(`error:${e}`)} />);
    await user.click(await screen.findByTestId("purchase-delete"));
    await user.click(screen.getByTestId("purchase-start"));
    expect(await screen.findByTestId("purchase-watchers")).toHaveTextContent(
      "CloudTrail retrying LookupEvents: could not reach the endpoint (connection failed) (retrying in 4 s)",
    );
    await user.click(screen.getByTestId("purchase-buy"));
    // A malformed message lands live: shown as such, its raw body one click away.
    act(() =>
      land({
        seq: 1,
        observed_at: "2026-11-23T10:00:01Z",
        occurred_at: null,
        source: "sqs",
        kind: "malformed",
        summary: { en: "malformed message: not JSON", ja: "解析できないメッセージ: not JSON" },
        malformed: true,
        raw: "{oops",
      }),
    );
    const timeline = await screen.findByTestId("purchase-timeline");
    expect(timeline).toHaveTextContent("Malformed");
    await user.click(screen.getByTestId("raw-1"));
    expect(screen.getByTestId("raw-body-1")).toHaveTextContent("{oops");
    act(() =>
      decide([
        {
          id: "resolve_within_10s",
          state: "fail",
          detail: { en: "no ResolveCustomer", ja: "ResolveCustomer なし" },
          events: [],
        },
      ]),
    );
    await waitFor(() =>
      expect(screen.getByTestId("purchase-verdicts")).toHaveTextContent(
        "Fail ResolveCustomer within 10 s of landing",
      ),
    );
    // The app decides step 1; the tester records step 2.
    expect(screen.queryByTestId("step-pass-contract_change-0")).toBeNull();
    await user.click(screen.getByTestId("step-pass-contract_change-1"));
    expect(calls).toEqual([
      "start:444455556666:true",
      "sandbox:purchase",
      "step:contract_change:1:pass",
    ]);
  });

  it("offers the demo SaaS's metering only where the backend says the SaaS is the demo's, and shows payloads as received", async () => {
    const user = userEvent.setup();
    const withDemo = (demo_saas: boolean) =>
      ({
        ...detail,
        environments: detail.environments.map((e) => ({
          ...e,
          demo_saas,
          settings: {
            ...e.settings,
            endpoint_url: "http://127.0.0.1:8484",
            fulfillment_url: "http://127.0.0.1:8484/_demo-saas/staging/marketplace/register",
            dimensions: [{ key: "api_calls", name: "API calls", kind: "ExternallyMetered" }],
          },
        })),
      }) as WorkspaceDetail;
    const { rerender } = renderWith(<PurchasePage detail={withDemo(true)} onError={() => {}} />);
    await user.click(await screen.findByTestId("purchase-start"));
    expect(await screen.findByTestId("purchase-demo-meter")).toBeInTheDocument();
    rerender(<PurchasePage detail={withDemo(false)} onError={() => {}} />);
    await waitFor(() => expect(screen.queryByTestId("purchase-demo-meter")).toBeNull());
    // An SNS envelope as SQS delivered it: the backend parsed it into kind and summary; the raw
    // view shows it as received (indented), its Message still the string AWS sent.
    const message = JSON.stringify({ action: "subscribe-success", "customer-identifier": "c-1" });
    act(() =>
      land({
        seq: 2,
        observed_at: "2026-11-23T10:00:02Z",
        occurred_at: "2026-11-23T10:00:01Z",
        source: "sqs",
        kind: "subscribe-success",
        summary: { en: "subscribe-success for c-1", ja: "顧客 c-1 の subscribe-success" },
        malformed: false,
        raw: JSON.stringify({ Type: "Notification", Message: message }),
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId("purchase-timeline")).toHaveTextContent(
        "subscribe-success for c-1",
      ),
    );
    await user.click(screen.getByTestId("raw-2"));
    const body = screen.getByTestId("raw-body-2").textContent ?? "";
    expect(body).toContain('"Type": "Notification"');
    expect(body).toContain(`"Message": ${JSON.stringify(message)}`);
  });
});
