// The entry: the first screen's code in one file. Its data (`bootstrap`: app facts,
// preferences, checklist, workspaces, the workspace to open) comes in the page itself and seeds
// the query cache, so the first render asks for nothing (issue 15). Without it (a browser, or
// the shell could not read it) the start-up call asks, and without an answer the app's queries
// ask for each part and show any error as they always do. The pages behind the overview load
// on demand.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { type Bootstrap, commands } from "./ipc/bindings";
import { seedStartup } from "./query/app";
import { makeQueryClient } from "./query/client";
import "./styles.css";

/** The answer the shell placed in the page, or null (a browser, Vite's dev server, or the
 * shell could not read it: then the call below asks and any error shows as usual). */
function fromPage(): Bootstrap | null {
  const block = document.getElementById("la-boot");
  const text = block?.textContent;
  if (!block || !text) return null;
  block.textContent = ""; // read once; the parsed copy is the one kept
  try {
    return JSON.parse(text) as Bootstrap;
  } catch (e) {
    console.warn("the page's start-up data is not JSON; asking instead", e);
    return null;
  }
}

function start(answer: Bootstrap | null, from: "page" | "call"): void {
  const root = document.getElementById("root");
  if (!root) return;
  const client = makeQueryClient();
  if (answer) seedStartup(client, answer);
  // Where the first screen's data came from, for the end-to-end test.
  document.documentElement.dataset.boot = answer ? from : "fallback";
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}

// From the page, the first screen renders now, in the task that ran this file, before WebKit
// draws a frame. Waiting for an answer (even one already settled) let WebKit dispatch
// DOMContentLoaded and draw the placeholder first, and the wizard was committed 5–20 ms later
// (page marks, issue 15). "Now" holds because Preact's `render` and layout effects run
// synchronously (React 18's `createRoot` would schedule them for a later task).
const embedded = fromPage();
if (embedded) {
  start(embedded, "page");
} else {
  void commands
    .bootstrap()
    .then((r) => (r.status === "ok" ? r.data : null))
    .catch(() => null)
    .then((answer) => start(answer, "call"));
}
