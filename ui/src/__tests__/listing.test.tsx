// The Listing page (form, live lint next to fields, compare, apply with the confirmation rule,
// change-set history), the Fix button and step 12's Public request, against a mocked backend.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChangeSetRecord, Listing, PlanView } from "../ipc";
import { renderWith } from "./render";

const calls: string[] = [];

const listing: Listing = {
  format: 1,
  fulfillment_url: "https://saas.example.com/register",
  allow_listed_buyers: ["444455556666"],
  product: {
    title: "Acme Insights",
    short_description: "Dashboards",
    long_description: "Dashboards for teams.",
    highlights: ["Fast"],
    categories: ["Data Analytics"],
    search_keywords: ["bi"],
    logo_url: "https://saas.example.com/logo.png",
    video_urls: [],
    additional_resources: [],
    support_description: "support@example.com",
  },
  dimensions: [
    { key: "seats", name: "Seats", description: "Seats", unit: "Units", types: ["Entitled"] },
  ],
  offer: {
    name: "Acme",
    description: "",
    pricing_model: "Contract",
    currency: "USD",
    rates: [{ dimension: "seats", duration: "P12M", price: "1200" }],
    eula: { type: "standard", version: "2022-07-14" },
    refund_policy: "30 days",
    auto_renewal: false,
    free_trial: null,
    availability_end_date: null,
  },
};

const plan: PlanView = {
  plan: {
    product_id: "prod-abc",
    offer_id: "offer-abc",
    diff: [
      {
        field: "allow_listed_buyers",
        label: { en: "Allow-listed buyers", ja: "許可リストの購入者" },
        old: [],
        new: ["444455556666"],
      },
    ],
    changes: [
      {
        change_type: "UpdateTargeting",
        entity: { type: "SaaSProduct@1.0", identifier: "prod-abc" },
        change_name: null,
        details: { PositiveTargeting: { BuyerAccounts: ["444455556666"] } },
        fields: ["allow_listed_buyers"],
      },
    ],
    warnings: [
      {
        rule: "public_price_change",
        message: { en: "90 days notice for price increases.", ja: "値上げは 90 日前に通知。" },
      },
    ],
    fingerprint: "f",
    attempt: 0,
  },
  shape_errors: [],
  validation: {
    change_set_id: "cs-validate",
    client_token: "la-x",
    status: {
      change_set_id: "cs-validate",
      status: "SUCCEEDED",
      intent: "VALIDATE",
      failure_code: "",
      failure_description: "",
      start_time: "",
      end_time: "",
      changes: [],
    },
    errors: [],
    created: null,
  },
};

const record: ChangeSetRecord = {
  id: "cs-apply-1",
  workspace_id: "ws1",
  env: "production",
  kind: "fix:catalog.allow_list",
  intent: "APPLY",
  client_token: "la-y",
  started_at: "2026-11-30T10:00:00Z",
  started_by: "seller",
  ended_at: "2026-11-30T10:00:05Z",
  status: "SUCCEEDED",
  diff: [],
  changes: [],
  outcome: {
    changes: [
      {
        change_type: "UpdateTargeting",
        entity_type: "SaaSProduct@1.0",
        entity_id: "prod-abc@1",
        change_name: "",
        errors: [],
      },
    ],
  },
  items: ["production.product.test_buyers"],
};

vi.mock("../ipc", () => ({
  pickSaveToml: async (name: string) => {
    calls.push(`pick-save:${name}`);
    return "/chosen/out.listing.toml";
  },
  pickOpenToml: async () => "/chosen/in.listing.toml",
  api: {
    listingExportFile: async (_ws: string, l: Listing, path: string) => {
      calls.push(`export:${path}:${l.product.title}`);
    },
    listingImportFile: async (path: string) => {
      calls.push(`import:${path}`);
      return { ...listing, product: { ...listing.product, title: "Imported Title" } };
    },
    listingLoad: async (_ws: string, env: string) => ({
      listing,
      source: "file",
      path: `/data/listings/ws1/${env}.listing.toml`,
      has_product: true,
      standard_eula_version: "2022-07-14",
    }),
    listingHistory: async () => [record],
    listingLint: async (l: Listing) =>
      l.product.long_description?.includes("Azure")
        ? [
            {
              rule: "other_cloud",
              severity: "error",
              field: "product.long_description",
              message: {
                en: "Names another cloud provider.",
                ja: "他のクラウドの名前があります。",
              },
              source: "Product listing guidelines",
            },
          ]
        : [],
    listingPlan: async (_ws: string, env: string, _l: Listing, validate: boolean) => {
      calls.push(`plan:${env}:${validate}`);
      return plan;
    },
    listingApply: async (_ws: string, env: string, _l: Listing, kind: string, typed: string) => {
      calls.push(`apply:${env}:${kind}:${typed}`);
      return {
        planned: plan,
        outcome: {
          ...plan.validation,
          change_set_id: "cs-apply-2",
          status: { ...plan.validation?.status, intent: "APPLY" },
        },
        record,
        created: null,
      };
    },
    listingFixable: async () => ["catalog.allow_list"],
    listingFix: async (_ws: string, env: string, check: string) => {
      calls.push(`fix:${env}:${check}`);
      return {
        check_id: check,
        listing,
        summary: {
          en: "Add 444455556666 to the allow-list.",
          ja: "444455556666 を許可リストに追加します。",
        },
      };
    },
    listingRelease: async () => ({
      ready: true,
      prechecks: [
        { id: "production_checks", ok: true, message: { en: "All passed.", ja: "すべて合格。" } },
      ],
      request: null,
    }),
    listingRequestPublic: async (_ws: string, typed: string) => {
      calls.push(`public:${typed}`);
      return {
        ready: true,
        prechecks: [],
        request: {
          record: {
            ...record,
            id: "cs-public",
            kind: "release",
            status: "APPLYING",
            ended_at: null,
          },
          tracking: {
            change_set_id: "cs-public",
            status: "APPLYING",
            under_review: true,
            message: { en: "Under AWS review.", ja: "AWS が審査中です。" },
          },
        },
      };
    },
    listingSave: async () => {
      calls.push("save");
    },
    listingRefresh: async (ws: string) => {
      calls.push(`refresh:${ws}`);
      return [];
    },
    listingCancel: async (_ws: string, env: string, id: string) => {
      calls.push(`cancel:${env}:${id}`);
      return record;
    },
  },
}));

const { ListingPage } = await import("../components/listing/ListingPage");
const { FixButton, ReleasePanel } = await import("../components/listing/Wizard");
const { ChangeSetHistory } = await import("../components/listing/ChangeSets");

beforeEach(() => {
  calls.length = 0;
});

describe("the Listing page", () => {
  it("shows lint findings next to their field as the seller types", async () => {
    const user = userEvent.setup();
    renderWith(<ListingPage workspaceId="ws1" env="staging" onError={() => {}} />);
    const long = await screen.findByTestId("listing-product.long_description");
    expect(await screen.findByTestId("lint-count")).toHaveTextContent("No findings");
    await user.type(long, " Also on Azure.");
    expect(await screen.findByTestId("notes-product.long_description")).toHaveTextContent(
      "Names another cloud provider.",
    );
    expect(screen.getByTestId("lint-count")).toHaveTextContent("1 finding");
    expect(screen.getByTestId("listing-save-state")).toHaveTextContent("Unsaved changes");
  });

  it("exports the listing file for CI and imports one into the form, unsaved", async () => {
    const user = userEvent.setup();
    renderWith(<ListingPage workspaceId="ws1" env="staging" onError={() => {}} />);
    await user.click(await screen.findByTestId("listing-export"));
    await waitFor(() => expect(calls).toContain("export:/chosen/out.listing.toml:Acme Insights"));
    expect(calls).toContain("pick-save:staging.listing.toml");
    await user.click(screen.getByTestId("listing-import"));
    await waitFor(() =>
      expect(screen.getByTestId("listing-product.title")).toHaveValue("Imported Title"),
    );
    expect(calls).toContain("import:/chosen/in.listing.toml");
    expect(calls).not.toContain("save");
    expect(screen.getByTestId("listing-save-state")).toHaveTextContent("Unsaved changes");
  });

  it("compares with AWS field by field and shows the change set and warnings", async () => {
    const user = userEvent.setup();
    renderWith(<ListingPage workspaceId="ws1" env="staging" onError={() => {}} />);
    await user.click(await screen.findByTestId("listing-compare"));
    expect(await screen.findByTestId("plan-diff")).toHaveTextContent("Allow-listed buyers");
    expect(screen.getByTestId("plan-changes")).toHaveTextContent("UpdateTargeting");
    expect(screen.getByTestId("plan-warnings")).toHaveTextContent("90 days");
    expect(calls).toContain("plan:staging:false");
    expect(screen.getByTestId("change-sets")).toHaveTextContent("Succeeded");
  });

  it("on production, applies only once the product title is typed", async () => {
    const user = userEvent.setup();
    renderWith(<ListingPage workspaceId="ws1" env="production" onError={() => {}} />);
    await user.click(await screen.findByTestId("listing-apply"));
    const dialog = await screen.findByTestId("apply-dialog");
    expect(await within(dialog).findByTestId("validation")).toHaveTextContent("accepted");
    expect(within(dialog).getByTestId("apply-confirmation")).toHaveTextContent("Production");
    const confirm = within(dialog).getByTestId("apply-confirm");
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByTestId("apply-typed-title"), "Acme Insights");
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    expect(await within(dialog).findByTestId("apply-result")).toHaveTextContent("cs-apply-2");
    expect(calls).toEqual(["plan:production:true", "apply:production:apply:Acme Insights"]);
  });

  it("says the same in Japanese", async () => {
    renderWith(<ListingPage workspaceId="ws1" env="staging" onError={() => {}} />, "ja");
    expect(await screen.findByTestId("listing-compare")).toHaveTextContent("AWS と比較");
    expect(screen.getByTestId("change-sets")).toHaveTextContent("成功");
  });
});

describe("Fix on a failing check", () => {
  it("prepares the repair and sends it through the plan → validate → apply dialog", async () => {
    const user = userEvent.setup();
    renderWith(
      <FixButton workspaceId="ws1" env="staging" checkId="catalog.allow_list" onError={() => {}} />,
    );
    await user.click(await screen.findByTestId("fix"));
    expect(await screen.findByTestId("fix-summary")).toHaveTextContent("444455556666");
    // Enabled once AWS's validation of the plan has come back.
    await waitFor(() => expect(screen.getByTestId("apply-confirm")).toBeEnabled());
    await user.click(screen.getByTestId("apply-confirm"));
    await waitFor(() =>
      expect(calls).toEqual([
        "fix:staging:catalog.allow_list",
        "plan:staging:true",
        "apply:staging:fix:catalog.allow_list:",
      ]),
    );
  });

  it("is not offered for a check the Catalog API cannot repair", async () => {
    renderWith(
      <FixButton workspaceId="ws1" env="staging" checkId="registration.https" onError={() => {}} />,
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId("fix")).toBeNull();
  });
});

describe("step 12: Public request", () => {
  it("shows the prechecks, asks for the title and tracks the request", async () => {
    const user = userEvent.setup();
    renderWith(<ReleasePanel workspaceId="ws1" onError={() => {}} />);
    expect(await screen.findByTestId("prechecks")).toHaveTextContent("Production checks");
    await user.click(screen.getByTestId("request-public"));
    const confirm = await screen.findByTestId("release-confirm");
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId("release-typed-title"), "Acme Insights");
    await user.click(confirm);
    expect(calls).toEqual(["public:Acme Insights"]);
  });
});

describe("the change sets' timeline", () => {
  it("reads open change sets again on demand and cancels one still preparing", async () => {
    const user = userEvent.setup();
    const open = [
      { ...record, id: "cs-preparing", status: "PREPARING", ended_at: null },
      { ...record, id: "cs-failed", status: "FAILED" },
    ];
    renderWith(
      <ChangeSetHistory workspaceId="ws1" env="staging" records={open} onError={() => {}} />,
      "ja",
    );
    expect(screen.getByTestId("cs-cs-preparing")).toHaveTextContent("準備中");
    // A failed change set shows each change without a click.
    expect(screen.getByTestId("cs-cs-failed")).toHaveTextContent("UpdateTargeting");
    await user.click(screen.getByTestId("cs-refresh"));
    await user.click(screen.getByTestId("cs-cancel"));
    expect(calls).toEqual(["refresh:ws1", "cancel:staging:cs-preparing"]);
  });
});
