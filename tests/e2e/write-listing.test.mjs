// End-to-end: listing as code in the Demo workspace, against the built-in sandbox, with no AWS
// account. Creates the staging product and its offer from nothing at step 4 and watches the
// change set succeed, runs the catalog checks (green), breaks the allow-list and repairs it with
// Fix, lints the listing, and requests Public at step 12 and sees the request tracked. Saves
// screenshots in English and Japanese to docs/screenshots/.
// Named to run after wizard.test.mjs: it replaces the Demo staging product, which that file's
// purchase session uses.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  $,
  browser,
  inItem,
  itemText,
  open,
  shot,
  typeInto,
  waitGone,
  waitItemText,
  waitText,
} from "./driver.mjs";

const BUYER = "444455556666";
const TITLE = "Acme Insights Cloud";

before(async () => {
  await open();
});

after(async () => {
  await browser?.deleteSession();
});

async function lang(code) {
  await (await $(`lang-${code}`)).click();
  await waitText("nav-overview", code === "ja" ? "概要" : "Overview");
}

/** Confirms the open apply dialog once AWS validated, and waits for the change set's end. */
async function confirmApply() {
  await (await $("apply-dialog")).waitForDisplayed();
  await browser.waitUntil(async () => (await $("apply-confirm")).isEnabled(), {
    timeout: 30000,
    timeoutMsg: "AWS's validation never accepted the change set",
  });
}

async function applyAndWait(expected = "SUCCEEDED") {
  await (await $("apply-confirm")).click();
  await browser.waitUntil(
    async () =>
      browser.execute(
        () => document.querySelector('[data-testid="apply-result"]')?.getAttribute("data-status") ?? "",
      ).then((s) => s === expected),
    { timeout: 90000, timeoutMsg: `the change set never reached ${expected}` },
  );
}

async function closeDialog() {
  await (await $("apply-close")).click();
  await waitGone("apply-dialog");
}

/**
 * Waives, through the app's own command, the production items the prechecks still name (those
 * a sandbox cannot prove, e.g. the account posture): setting up step 12, not what is tested.
 */
async function waiveRemainingPrechecks() {
  const left = await browser.executeAsync((done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    (async () => {
      const list = await invoke("list_workspaces");
      const ws = list.find((w) => w.workspace.name === "Demo").workspace.id;
      const release = await invoke("listing_release", { workspaceId: ws });
      const red = release.prechecks.find((p) => p.id === "production_checks");
      // "Not yet passed on production: a.b, c.d. Run the production checks …"
      const m = red.message.en;
      const ids = red.ok ? [] : m.slice(m.indexOf(": ") + 2, m.indexOf(". Run")).split(", ");
      for (const id of ids.filter(Boolean)) {
        await invoke("set_item_status", {
          change: {
            workspace_id: ws,
            item_id: id.trim(),
            status: "waived",
            note: "",
            waiver_reason: "Not provable in the sandbox (e2e set-up)",
          },
        });
      }
      return ids;
    })().then(done, (e) => done(`error: ${e}`));
  });
  assert.ok(Array.isArray(left), String(left));
}

async function runStepChecks() {
  await (await $("run-checks")).click();
  await (await $("run-checks")).waitForDisplayed({ timeout: 90000 });
}

test("step 4 offers to create the product from nothing when staging names none", async () => {
  await lang("en");
  await (await $("workspace-select")).selectByVisibleText("Demo");
  await waitText("overview", "Acme Insights");
  await (await $("nav-env-staging")).click();
  await typeInto("field-product_id", "");
  await typeInto("field-product_code", "");
  await typeInto("field-offer_id", "");
  await browser.waitUntil(async () => (await $("save-env")).isEnabled(), { timeoutMsg: "save never enabled" });
  await (await $("save-env")).click();
  await waitText("save-state", "Saved");
  await (await $("nav-step-4")).click();
  await waitText("step-listing", "names no product yet", 20000);
  await shot("listing-step4-create-en", "step-listing");
  await (await $("create-from-nothing")).click();
  await waitText("listing-source", "no product yet", 20000);
});

test("fill the listing with live lint, validate with AWS and create the Limited product", async () => {
  // The draft holds what the environment knows: fulfillment URL, test buyer, dimensions, EULA.
  assert.match(await (await $("listing-allow_listed_buyers")).getValue(), new RegExp(BUYER));
  await typeInto("listing-product.title", TITLE);
  await typeInto("listing-product.short_description", "Dashboards and alerts for your AWS usage.");
  await typeInto(
    "listing-product.long_description",
    "Acme Insights Cloud turns usage data into dashboards, alerts and weekly reports for every team.",
  );
  await typeInto("listing-product.highlights", "Dashboards in minutes");
  await typeInto("listing-product.categories", "Data Analytics");
  await typeInto("listing-product.search_keywords", "dashboards");
  await typeInto("listing-product.logo_url", "https://acme.example/logo.png");
  await typeInto("listing-product.support_description", "support@acme.example, 24/7, replies within 4 hours.");
  await typeInto("listing-offer.rates", "seats | P12M | 1200");
  // A second line: Enter as a key (a "\n" in typed text does not reach the textarea).
  await browser.keys(["Enter"]);
  await (await $("listing-offer.rates")).addValue("api_calls |  | 0.01");
  await typeInto("listing-offer.refund_policy", "Refunds within 30 days of purchase.");
  await shot("listing-form-en");
  await (await $("listing-validate")).click();
  await waitText("validation", "accepted", 30000);
  await shot("listing-validate-en", "validation");
  await (await $("listing-apply")).click();
  await confirmApply();
  await shot("listing-apply-dialog-en", "apply-confirmation");
  await applyAndWait();
  await waitText("apply-created", "prod-");
  await shot("listing-created-en", "apply-result");
  await closeDialog();
  await waitText("change-sets", "Create from nothing");
  await waitText("change-sets", "Succeeded");
});

test("the catalog checks of step 4 go green on the new product", async () => {
  await (await $("nav-step-4")).click();
  await runStepChecks();
  for (const item of ["product.exists", "product.fulfillment_url", "product.dimensions", "product.test_buyers"]) {
    await waitItemText(`staging.${item}`, "check-status", "Pass", 20000);
  }
  await shot("listing-checks-green-en", "item-staging.product.exists");
});

test("break the allow-list, see the check fail, and repair it with Fix", async () => {
  // Break it in AWS (the sandbox's catalog) through the Listing page: the buyer removed, applied.
  await (await $("nav-listing-staging")).click();
  await waitText("listing-source", "listing file", 20000);
  await typeInto("listing-allow_listed_buyers", "");
  await (await $("listing-apply")).click();
  await confirmApply();
  await applyAndWait();
  await closeDialog();
  await (await $("nav-step-4")).click();
  await runStepChecks();
  await waitItemText("staging.product.test_buyers", "check-status", "Fail", 20000);
  await (await inItem("staging.product.test_buyers", "fix")).click();
  await waitText("fix-summary", BUYER, 20000);
  await confirmApply();
  await shot("listing-fix-en", "apply-dialog");
  await applyAndWait();
  await closeDialog();
  await runStepChecks();
  await waitItemText("staging.product.test_buyers", "check-status", "Pass", 20000);
  await shot("listing-fixed-en", "item-staging.product.test_buyers");
});

test("the listing lint shows findings next to the field, in English and Japanese", async () => {
  await (await $("nav-listing-staging")).click();
  await waitText("listing-source", "listing file", 20000);
  await typeInto(
    "listing-product.long_description",
    "Acme Insights Cloud turns usage data into dashboards. It also runs on Azure.",
  );
  await waitText("notes-product.long_description", "", 10000);
  const count = await waitText("lint-count", "finding");
  assert.match(await count.getText(), /\d+ findings?/);
  await shot("listing-lint-en", "notes-product.long_description");
  await lang("ja");
  await waitText("listing-compare", "AWS と比較");
  await shot("listing-lint-ja", "notes-product.long_description");
  await (await $("listing-compare")).click();
  await waitText("plan-diff", "詳しい説明", 30000);
  await shot("listing-compare-ja", "plan-diff");
  await lang("en");
});

test("step 11 lints the production listing", async () => {
  await (await $("nav-step-11")).click();
  await waitText("step-listing", "Listing lint", 20000);
  await (await $("lint")).waitForDisplayed({ timeout: 20000 });
  await shot("listing-step11-en", "step-listing");
});

test("step 12: prechecks, the Public request, and its tracking (also after a restart)", async () => {
  // The final-review item attested (step 11); the seller profile was passed by the Demo seed;
  // production's automated items proven by a full production check run, the rest waived here.
  await (await inItem("review.submitted", "attest")).click();
  await (await $("status-dialog")).waitForDisplayed();
  await typeInto("status-note", "AWS reviewed the product (e2e)");
  await (await $("confirm-status")).click();
  await waitGone("status-dialog");
  await waitItemText("review.submitted", "item-status", "Passed");
  await (await $("nav-step-12")).click();
  await (await $("prechecks")).waitForDisplayed({ timeout: 20000 });
  await shot("listing-release-prechecks-en", "release");
  await (await $("nav-env-production")).click();
  await runStepChecks();
  await waiveRemainingPrechecks();
  await (await $("nav-step-12")).click();
  await browser.waitUntil(async () => (await $("request-public")).isEnabled(), {
    timeout: 20000,
    timeoutMsg: "the prechecks never all passed",
  });
  await (await $("request-public")).click();
  await (await $("release-dialog")).waitForDisplayed();
  const asked = await (await $("release-dialog")).getText();
  const title = asked.match(/“(.+?)”/)?.[1];
  assert.ok(title, asked);
  await typeInto("release-typed-title", title);
  await (await $("release-confirm")).click();
  await waitGone("release-dialog", 60000);
  const tracked = await waitText("release-tracking", "Public request", 30000);
  assert.match(await tracked.getText(), /cs-|[0-9a-z]{8}/);
  await shot("listing-release-tracked-en", "release");
  await lang("ja");
  await waitText("release-tracking", "一般公開の申請");
  await shot("listing-release-tracked-ja", "release");
  await lang("en");
  // Restart: the request is read again and still shown where it stands.
  await browser.deleteSession();
  await open();
  await (await $("nav-step-12")).click();
  await waitText("release-tracking", "Public request", 30000);
});
