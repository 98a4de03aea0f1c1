// End-to-end secrets audit: plants known secret values through the UI (access keys into the
// keyring form, a note and a waiver reason pasted from a shell and a request log) and checks that
// the page never shows them again once saved: its text, its HTML and every input's value, each
// time a screenshot is taken. Works in its own workspace and leaves the Demo workspace selected.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { $, browser, open, shots, typeInto } from "./driver.mjs";

const KEY_ID = "AKIAE2EPLANTED000042";
const SECRET = "e2e/Planted+Secret/Key0042abcdEFGH";
const NOTE_SECRET = "e2e/Pasted+Secret/FromAShell0042xyz";
const SESSION = "E2EPlantedSessionTokenFQoGZXIvYXdz0042";
const REG_TOKEN = "E2EPlantedRegistrationTokenZm9vYmFy0042";
const PLANTED = [KEY_ID, SECRET, NOTE_SECRET, SESSION, REG_TOKEN];

before(async () => {
  await open();
});

after(async () => {
  await browser?.deleteSession();
});

/** Everything the page holds as text: rendered text, HTML, and what each input contains. */
async function pageText() {
  return browser.execute(() =>
    [
      document.body.innerText,
      document.documentElement.outerHTML,
      ...[...document.querySelectorAll("input, textarea, select")].map((e) => e.value),
    ].join("\n"),
  );
}

async function assertNoSecret(where) {
  const text = await pageText();
  const found = PLANTED.filter((p) => text.includes(p));
  assert.deepEqual(found, [], `${where}: planted secrets on the page`);
}

/** A screenshot, and the DOM it shows searched for every planted value. */
async function auditedShot(name) {
  await browser.pause(300);
  await assertNoSecret(name);
  await browser.saveScreenshot(join(shots, `${name}.png`));
}

/** The name of the workspace shown as selected. */
const selectedWorkspace = () =>
  browser.execute(() => document.querySelector('[data-testid="workspace-select"]')?.selectedOptions[0]?.text ?? "");

async function waitFor(cond, timeoutMsg, timeout = 10000) {
  await browser.waitUntil(
    async () => {
      try {
        return await cond();
      } catch {
        return false;
      }
    },
    { timeout, timeoutMsg },
  );
}

test("planted secrets never show on the page once saved", async () => {
  await waitFor(async () => (await (await $("overall-progress")).getText()).includes("/"), "no overview");
  await (await $("new-workspace")).click();
  await typeInto("workspace-name", "Secrets Audit");
  await (await $("create-workspace")).click();
  await waitFor(async () => (await selectedWorkspace()) === "Secrets Audit", "not created");

  // Access keys into the keyring.
  await (await $("nav-env-staging")).click();
  await (await $("field-credential_source")).selectByAttribute("value", "access_keys");
  await typeInto("access-key-id", KEY_ID);
  await typeInto("secret-access-key", SECRET);
  assert.ok((await pageText()).includes(KEY_ID), "the audit sees what the page holds");
  await (await $("store-keys")).click();
  await waitFor(
    async () => (await (await $("keys-state")).getText()).includes("stored in the OS keyring"),
    "keys never stored",
  );
  await auditedShot("secrets-keys-stored-en");

  // A note and a waiver reason pasted from a shell and a request log.
  await (await $("nav-step-2")).click();
  const card = (item, id) => browser.$(`[data-testid="item-${item}"] [data-testid="${id}"]`);
  await (await card("seller.public_profile", "attest")).click();
  await (await $("status-dialog")).waitForDisplayed();
  await typeInto(
    "status-note",
    `export AWS_SECRET_ACCESS_KEY=${NOTE_SECRET} AWS_ACCESS_KEY_ID=${KEY_ID} {"SessionToken": "${SESSION}"}`,
  );
  await (await $("confirm-status")).click();
  await waitFor(async () => (await (await card("seller.public_profile", "item-status")).getText()) === "Passed", "not attested");
  await (await card("seller.tax_interview", "waive")).click();
  await (await $("status-dialog")).waitForDisplayed();
  await typeInto("waiver-reason", `handled upstream: x-amzn-marketplace-token=${REG_TOKEN}`);
  await (await $("confirm-status")).click();
  await waitFor(async () => (await (await card("seller.tax_interview", "item-status")).getText()) === "Waived", "not waived");
  await waitFor(async () => (await (await card("seller.public_profile", "item-note")).getText()).includes("(redacted)"), "note not shown masked");
  // Masked in place: the words around each secret are kept.
  assert.match(
    await (await card("seller.public_profile", "item-note")).getText(),
    /^export AWS_SECRET_ACCESS_KEY=e2e\/…\(redacted\) AWS_ACCESS_KEY_ID=AKIA…\(redacted\) \{"SessionToken": "E2EP…\(redacted\)"\}$/,
  );
  await (await card("seller.public_profile", "toggle-history")).click();
  await auditedShot("secrets-notes-masked-en");

  // Back to the Demo workspace, as the other suites expect to find it.
  await (await $("workspace-select")).selectByVisibleText("Demo");
  await waitFor(async () => (await selectedWorkspace()) === "Demo", "Demo not selected");
  await assertNoSecret("demo overview");
});
