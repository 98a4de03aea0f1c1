import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderWith } from "./render";

const calls: string[] = [];

vi.mock("../ipc", () => ({
  api: {
    sandboxStatus: async () => ({
      url: "http://127.0.0.1:8484",
      error: null,
      access_key_id: "AKIASANDBOXDEMO00001",
      clock: "2026-11-23T10:00:00Z",
    }),
    sandboxProducts: async () => [
      {
        entity_id: "prod-demostg4a7k2q",
        title: "Acme Insights (staging)",
        product_code: "demostg7ky5a0d3rqx2ub6y8m",
        visibility: "Limited",
        dimensions: [
          { key: "seats", name: "Seats", types: ["Entitled"] },
          { key: "api_calls", name: "API calls", types: ["ExternallyMetered"] },
        ],
        fulfillment_url: "http://127.0.0.1:8484/_demo-saas/staging/marketplace/register",
        buyer_accounts: ["444455556666"],
        last_modified: "2026-11-23T10:00:00Z",
      },
    ],
    sandboxActivity: async () => ({
      clock: "2026-11-23T10:00:00Z",
      licenses: [],
      notifications: [],
      calls: [],
    }),
    sandboxPurchase: async (product: string, buyer: string) => {
      calls.push(`purchase:${product}:${buyer}`);
      return {
        product_id: product,
        product_code: "demostg7ky5a0d3rqx2ub6y8m",
        customer_aws_account_id: buyer,
        license_arn: "arn:aws:license-manager::294406891311:license:l-abc",
        agreement_id: "agmt-x",
        token_preview: "AbCdEfGh…",
        landing_status: 200,
        landing_error: null,
        landing_ms: 12,
        notifications: 2,
      };
    },
    sandboxMeter: async (account: string, license: string, dim: string, qty: number) => {
      calls.push(`meter:${account}:${license}:${dim}:${qty}`);
      return { status: "Success", metering_record_id: "rec-1", timestamp: "2026-11-23T10:00:00Z" };
    },
  },
}));

const { SandboxPage } = await import("../components/SandboxPage");

describe("the sandbox page", () => {
  it("lists Catalog products, purchases for an allow-listed buyer and meters a metered dimension", async () => {
    const user = userEvent.setup();
    renderWith(<SandboxPage onError={(e) => calls.push(`error:${e}`)} />);
    expect(await screen.findByTestId("sandbox-products")).toHaveTextContent(
      "Acme Insights (staging)",
    );
    await user.click(screen.getByTestId("sandbox-purchase"));
    expect(await screen.findByTestId("sandbox-landing")).toHaveTextContent("HTTP 200 in 12 ms");
    // The full token never reaches the UI.
    expect(screen.getByTestId("sandbox-purchase-result")).toHaveTextContent("AbCdEfGh…");
    await user.click(screen.getByTestId("sandbox-meter"));
    await waitFor(() =>
      expect(screen.getByTestId("sandbox-meter-result")).toHaveTextContent("Success"),
    );
    expect(calls).toEqual([
      "purchase:prod-demostg4a7k2q:444455556666",
      "meter:444455556666:arn:aws:license-manager::294406891311:license:l-abc:api_calls:10",
    ]);
  });
});
