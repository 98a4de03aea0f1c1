// End-to-end: the real app binary in a real window (WebKitWebDriver via tauri-driver under
// Xvfb). Creates a workspace, fills an environment with an invalid then a valid account ID,
// attests an item with a note, switches to Japanese, restarts the app and finds it all still
// there. Saves a screenshot of each main screen to docs/screenshots/.
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

before(async () => {
  await open();
});

after(async () => {
  await browser?.deleteSession();
});

test("first start shows the demo workspace", async () => {
  await waitText("overall-progress", "/");
  const select = await $("workspace-select");
  assert.match(await select.getText(), /Demo/);
  // The first screen's data came in the page (src-tauri/src/page.rs), not from the fallbacks
  // (the start-up call, then separate queries), which would hide a broken page filler.
  assert.equal(await browser.execute(() => document.documentElement.dataset.boot), "page");
  // The fallback call is still granted and answers (the page path no longer exercises it)…
  assert.equal(
    await browser.execute(() =>
      window.__TAURI_INTERNALS__.invoke("bootstrap").then((b) => typeof b.info),
    ),
    "object",
  );
  // …and the page's inline script (ICU warm-up) ran: the CSP let it, through the hash Tauri adds.
  assert.equal(await browser.execute(() => document.documentElement.dataset.icu), "warm");
  await shot("overview-en");
});

test("create a workspace", async () => {
  await (await $("new-workspace")).click();
  await (await $("new-workspace-dialog")).waitForDisplayed();
  await shot("new-workspace-en");
  await typeInto("workspace-name", "E2E Company");
  await typeInto("workspace-product", "E2E Analytics");
  await (await $("create-workspace")).click();
  await waitGone("new-workspace-dialog");
  await waitText("overview", "E2E Analytics");
});

test("environment: an invalid account ID is refused inline, a valid one saves", async () => {
  await (await $("nav-env-staging")).click();
  await typeInto("field-region", "us-east-1");
  await typeInto("field-test_buyer_account_ids", "444455556666");
  await typeInto("field-seller_account_id", "12345");
  await waitText("error-seller_account_id", "12 digits");
  assert.equal(await (await $("save-env")).isEnabled(), false, "save is disabled while invalid");
  await shot("environment-invalid-en");
  await typeInto("field-seller_account_id", "123456789012");
  await waitGone("error-seller_account_id");
  await browser.waitUntil(async () => (await $("save-env")).isEnabled(), { timeoutMsg: "save never enabled" });
  await (await $("save-env")).click();
  await waitText("save-state", "Saved");
  await shot("environment-en");
});

test("attest an item with a note", async () => {
  await (await $("nav-step-2")).click();
  await (await $("item-seller.public_profile")).waitForDisplayed();
  await (await inItem("seller.public_profile", "attest")).click();
  await (await $("status-dialog")).waitForDisplayed();
  await typeInto("status-note", "Profile reviewed by the e2e suite");
  await shot("attest-dialog-en");
  await (await $("confirm-status")).click();
  await waitGone("status-dialog");
  await waitItemText("seller.public_profile", "item-status", "Passed");
  assert.equal(await itemText("seller.public_profile", "item-note"), "Profile reviewed by the e2e suite");
  await (await inItem("seller.public_profile", "toggle-history")).click();
  await browser.waitUntil(async () => (await itemText("seller.public_profile", "history")).includes("Passed"), {
    timeoutMsg: "history empty",
  });
  assert.match(await itemText("seller.public_profile", "history"), /Not started → Passed/);
  await shot("step-en");
});

test("waive an item with a reason", async () => {
  await (await inItem("seller.tax_interview", "waive")).click();
  await (await $("status-dialog")).waitForDisplayed();
  await (await $("confirm-status")).click();
  // No reason: refused in place, nothing written.
  await (await browser.$('[data-testid="status-dialog"] [role="alert"]')).waitForDisplayed();
  await typeInto("waiver-reason", "Tax interview handled by the parent company");
  await (await $("confirm-status")).click();
  await waitGone("status-dialog");
  await waitItemText("seller.tax_interview", "item-status", "Waived");
});

test("switch to Japanese: every visible string changes", async () => {
  await (await $("lang-ja")).click();
  await waitText("nav-overview", "概要");
  await waitText("step-title", "公開プロフィールと支払い設定");
  await waitItemText("seller.public_profile", "item-status", "合格");
  await shot("step-ja");
  await (await $("nav-env-staging")).click();
  await shot("environment-ja");
  await (await $("nav-overview")).click();
  await shot("overview-ja");
});

test("restart: workspace, environment, attestation and language are still there", async () => {
  await browser.deleteSession();
  await open();
  await waitText("nav-overview", "概要");
  assert.match(await (await $("workspace-select")).getText(), /E2E Company/);
  await waitText("overview", "E2E Analytics");
  await (await $("nav-step-2")).click();
  await waitItemText("seller.public_profile", "item-status", "合格");
  assert.equal(await itemText("seller.public_profile", "item-note"), "Profile reviewed by the e2e suite");
  assert.equal(await itemText("seller.tax_interview", "item-status"), "免除");
  await (await $("nav-env-staging")).click();
  assert.equal(await (await $("field-seller_account_id")).getValue(), "123456789012");
  assert.equal(await (await $("field-test_buyer_account_ids")).getValue(), "444455556666");
});

test("keyboard: arrows move through the steps, Enter opens one", async () => {
  await (await $("lang-en")).click();
  await waitText("nav-overview", "Overview");
  const first = await $("nav-overview");
  await first.click();
  // WebKit does not focus a button on click; put the focus there as Tab would.
  await browser.execute((el) => el.focus(), first);
  for (let i = 0; i < 3; i++) await browser.keys("ArrowDown");
  await browser.keys(["Enter"]);
  await waitText("step-title", "Prepare the SaaS for testing");
});

test("dark theme and the demo's production environment", async () => {
  const theme = await $("theme-select");
  await theme.selectByAttribute("value", "dark");
  await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === "dark");
  await (await $("workspace-select")).selectByVisibleText("Demo");
  await waitText("overview", "Acme Insights");
  await (await $("nav-step-4")).click();
  await (await $("step-4")).waitForDisplayed();
  await shot("step-dark-en");
  await (await $("nav-env-production")).click();
  await (await $("env-production")).waitForDisplayed();
  await shot("environment-production-dark-en");
  await theme.selectByAttribute("value", "light");
});

test("the built-in sandbox: Catalog products, a purchase, metering and the CloudTrail view", async () => {
  await (await $("nav-sandbox")).click();
  await waitText("sandbox-url", "http://127.0.0.1:");
  await waitText("sandbox-products", "Acme Insights (staging)");
  await (await $("sandbox-purchase")).click();
  await waitText("sandbox-landing", "HTTP 200", 20000);
  await (await $("sandbox-meter")).click();
  await waitText("sandbox-meter-result", "Success");
  const calls = await waitText("sandbox-calls", "BatchMeterUsage");
  const text = await calls.getText();
  assert.match(text, /ResolveCustomer/, "the demo SaaS resolved the buyer's token");
  assert.match(text, /demo SaaS/);
  await waitText("sandbox-notifications", "subscribe-success");
  await shot("sandbox-en");
  await shot("sandbox-purchase-en", "sandbox-purchase-result");
  await shot("sandbox-activity-en", "sandbox-calls");
});

test("run a step's checks against the sandbox: live progress, results and item statuses", async () => {
  // The Demo workspace is open (previous test); its staging points at the built-in sandbox.
  assert.match(await (await $("workspace-select")).getText(), /Demo/);
  await (await $("nav-step-4")).click();
  await (await $("run-checks")).click();
  // The run ends: the button comes back.
  await (await $("run-checks")).waitForDisplayed({ timeout: 60000 });
  await waitItemText("staging.product.exists", "check-status", "Pass", 20000);
  await waitItemText("staging.product.exists", "item-status", "Passed");
  assert.equal(await itemText("staging.product.test_buyers", "check-status"), "Pass");
  await shot("checks-en", "item-staging.product.exists");
});

test("run every check of an environment, with the history of runs and what changed", async () => {
  await (await $("nav-env-staging")).click();
  await (await $("run-checks")).click();
  await (await $("run-checks")).waitForDisplayed({ timeout: 90000 });
  const history = await waitText("check-history", "Finished");
  const text = await history.getText();
  // Two runs now: the step's and the environment's; the second shows the checks it added.
  assert.ok((text.match(/Finished/g) ?? []).length >= 2, text);
  assert.match(text, /registration\.https/);
  await shot("environment-checks-en");
  await (await $("lang-ja")).click();
  await waitText("check-history", "完了");
  await shot("environment-checks-ja");
  await (await $("lang-en")).click();
});

test("who the environment's credentials are, before anything runs", async () => {
  await (await $("nav-env-staging")).click();
  await (await $("who-am-i")).click();
  const id = await waitText("identity", "111122223333", 15000);
  assert.match(await id.getText(), /✓/);
  await shot("environment-identity-en", "identity");
});

/** Waits until `[data-verdict=id]` has the state, asked inside the page (it re-renders live). */
async function waitVerdict(id, state, timeout = 30000) {
  await browser.waitUntil(
    async () =>
      browser.execute(
        (v, s) => document.querySelector(`[data-verdict="${v}"]`)?.getAttribute("data-state") === s,
        id,
        state,
      ),
    { timeout, timeoutMsg: `verdict ${id} never became ${state}` },
  );
}

test("a test purchase session in the demo workspace: live timeline, verdicts and a scenario on the checklist", async () => {
  await (await $("nav-purchase")).click();
  await (await $("purchase-start")).click();
  await waitText("purchase-running", "Running");
  // Every watcher made its first call (CloudTrail's history is taken before the purchase).
  await browser.waitUntil(
    async () => {
      const t = await (await $("purchase-watchers")).getText().catch(() => "");
      return t.includes("watching") && !t.includes("starting");
    },
    { timeout: 20000, timeoutMsg: "the watchers never all started" },
  );
  await (await $("purchase-buy")).click();
  await waitText("purchase-timeline", "subscribe-success", 20000);
  await waitText("purchase-timeline", "ResolveCustomer", 20000);
  await waitVerdict("resolve_within_10s", "pass");
  await waitVerdict("entitlement_after_change", "pass");
  await typeInto("purchase-qty-seats", "25");
  await (await $("purchase-change")).click();
  await waitText("purchase-timeline", "1 → 25", 20000);
  await (await $("purchase-cancel")).click();
  await waitText("purchase-timeline", "unsubscribe-pending", 20000);
  await waitVerdict("final_metering_within_1h", "pending");
  await (await $("purchase-demo-meter")).click();
  await waitVerdict("final_metering_within_1h", "pass");
  await (await $("purchase-clock")).click();
  await waitText("purchase-timeline", "unsubscribe-success", 20000);
  await waitVerdict("unsubscribe_sequence", "pass");
  // The raw payload is one click away.
  await (await $("raw-2")).click();
  await (await $("raw-body-2")).waitForDisplayed();
  await shot("purchase-timeline-en", "purchase-verdicts");
  // The contract-change scenario: its first step was decided by the app; the tester passes the rest.
  await (await $("step-pass-contract_change-1")).click();
  await browser.waitUntil(
    async () =>
      browser.execute(
        () =>
          document
            .querySelector('[data-testid="scenario-contract_change"] [data-step="1"]')
            ?.getAttribute("data-outcome") === "pass",
      ),
    { timeout: 10000, timeoutMsg: "step 2 never passed" },
  );
  await (await $("step-pass-contract_change-2")).click();
  await browser.waitUntil(
    async () =>
      browser.execute(
        () =>
          document
            .querySelector('[data-testid="scenario-contract_change"] [data-step="2"]')
            ?.getAttribute("data-outcome") === "pass",
      ),
    { timeout: 10000, timeoutMsg: "step 3 never passed" },
  );
  await (await $("scenario-finish-contract_change")).click();
  await waitText("scenario-recorded-contract_change", "Passed");
  await shot("purchase-scenario-en", "scenario-contract_change");
  await (await $("lang-ja")).click();
  await waitText("purchase-verdicts", "合格");
  await shot("purchase-timeline-ja", "purchase-verdicts");
  await (await $("lang-en")).click();
  await (await $("purchase-stop")).click();
  await waitText("purchase-running", "Stopped");
  // The checklist item of step 6 moved, with the session as its evidence.
  await (await $("nav-step-6")).click();
  await waitItemText("staging.scenario.contract_change", "item-status", "Passed");
});

test("preview the reviewer report in the app, in English and Japanese", async () => {
  // The Demo workspace after the check runs above: the report shows their results.
  await (await $("nav-overview")).click();
  await (await $("report-open")).click();
  await (await $("report-dialog")).waitForDisplayed();
  await (await $("report-preview-button")).click();
  const frame = await $("report-preview");
  await frame.waitForDisplayed({ timeout: 20000 });
  const html = await browser.execute(
    () => document.querySelector('[data-testid="report-preview"]')?.getAttribute("srcdoc") ?? "",
  );
  assert.match(html, /AWS Marketplace listing report/);
  assert.match(html, /registration\.https/, "the latest check results are in the report");
  assert.match(html, /id="digest">[0-9a-f]{64}</, "the digest is on the cover");
  await shot("report-preview-en", "report-preview");
  const lang = await $("report-language");
  await lang.selectByAttribute("value", "ja");
  await waitGone("report-preview");
  await (await $("report-preview-button")).click();
  await (await $("report-preview")).waitForDisplayed({ timeout: 20000 });
  const ja = await browser.execute(
    () => document.querySelector('[data-testid="report-preview"]')?.getAttribute("srcdoc") ?? "",
  );
  assert.match(ja, /全体の準備状況/);
  await shot("report-preview-ja", "report-preview");
  await browser.keys(["Escape"]);
  await waitGone("report-dialog");
});
