// The WebDriver session and the helpers every end-to-end file uses: the real app binary through
// tauri-driver (WebKitWebDriver), elements by `data-testid`, waits that re-query on every poll,
// and screenshots into docs/screenshots/.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = dirname(fileURLToPath(import.meta.url));
/** Where screenshots go (docs/screenshots/ unless LA_SCREENSHOT_DIR says otherwise). */
export const shots = process.env.LA_SCREENSHOT_DIR ?? join(here, "..", "..", "docs", "screenshots");
mkdirSync(shots, { recursive: true });

/** The current session (a live binding: `open` replaces it). */
export let browser;

export async function open() {
  browser = await remote({
    hostname: "127.0.0.1",
    port: Number(process.env.LA_DRIVER_PORT ?? 4444),
    logLevel: "error",
    capabilities: {
      // WebKitWebDriver speaks classic WebDriver only; WebdriverIO 9 would ask for BiDi.
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: process.env.LA_APP_BIN },
    },
  });
  await browser.setTimeout({ implicit: 0 });
}

export const $ = (testId) => browser.$(`[data-testid="${testId}"]`);

export async function waitText(testId, expected, timeout = 10000) {
  // Re-query on every poll: React may replace the node while the page settles, and a handle to
  // the old one would be stale.
  let last = "";
  await browser.waitUntil(
    async () => {
      try {
        const el = await $(testId);
        if (!(await el.isDisplayed())) return false;
        last = await el.getText();
        return last.includes(expected);
      } catch {
        return false;
      }
    },
    { timeout, timeoutMsg: `[${testId}] never showed "${expected}" (has "${last}")` },
  );
  return $(testId);
}

/**
 * Waits for an element to leave the page. Asked in the page itself: WebDriver handles to a node
 * being removed race with the removal (WebKitWebDriver then answers "stale element").
 */
export async function waitGone(testId, timeout = 10000) {
  await browser.waitUntil(
    async () => browser.execute((id) => !document.querySelector(`[data-testid="${id}"]`), testId),
    { timeout, timeoutMsg: `[${testId}] is still on the page` },
  );
}

/** An element inside an item card, queried afresh (cards re-render as the store changes). */
export const inItem = (itemId, testId) => browser.$(`[data-testid="item-${itemId}"] [data-testid="${testId}"]`);

export async function itemText(itemId, testId) {
  try {
    return await (await inItem(itemId, testId)).getText();
  } catch {
    return "";
  }
}

export async function waitItemText(itemId, testId, expected, timeout = 10000) {
  await browser.waitUntil(async () => (await itemText(itemId, testId)) === expected, {
    timeout,
    timeoutMsg: `${itemId} ${testId} never showed "${expected}" (has "${await itemText(itemId, testId)}")`,
  });
}

export async function shot(name, scrollTo) {
  // Show the page from its top (or with one element in view), once transitions have settled.
  await browser.execute((id) => {
    const main = document.getElementById("main");
    if (main) main.scrollTop = 0;
    if (id) document.querySelector(`[data-testid="${id}"]`)?.scrollIntoView({ block: "center" });
  }, scrollTo ?? null);
  await browser.pause(300);
  await browser.saveScreenshot(join(shots, `${name}.png`));
}

export async function typeInto(testId, text) {
  const el = await $(testId);
  await el.waitForDisplayed();
  // Centre it first so the sticky save bar never sits on top of the field.
  await el.scrollIntoView({ block: "center" });
  await el.click();
  // Select all and replace, as a person would.
  await browser.keys(["Control", "a"]);
  await browser.keys(["Backspace"]);
  if (text) await el.addValue(text);
}
