// The start-up call leaves from an inline script in index.html while the page is still being
// parsed; this entry — the first screen's code in one file, fetched and parsed meanwhile —
// takes its answer and seeds the query cache with it, so the first render asks for nothing
// (issue 15). Without that answer (a browser, or the call failed) the app asks for each part
// itself and shows any error as it always does. The pages behind the overview load on demand.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { type Bootstrap, commands } from "./ipc/bindings";
import { seedStartup } from "./query/app";
import { makeQueryClient } from "./query/client";
import "./styles.css";

// The answer, or null when there is none.
const early = (window as { __LA_BOOT__?: Promise<Bootstrap> }).__LA_BOOT__;
const boot: Promise<Bootstrap | null> = (
  early ?? commands.bootstrap().then((r) => (r.status === "ok" ? r.data : null))
).catch(() => null);

async function start(): Promise<void> {
  const root = document.getElementById("root");
  if (!root) return;
  const answer = await boot;
  const client = makeQueryClient();
  if (answer) seedStartup(client, answer);
  // Which way the first screen was filled, for the end-to-end test.
  document.documentElement.dataset.boot = answer ? "seeded" : "fallback";
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}

void start();
