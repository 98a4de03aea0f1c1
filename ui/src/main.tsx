// The entry is small on purpose: it asks the backend for everything the first screen needs and,
// while that answer is on its way, loads the app's code (a separate chunk), so the round trip
// and the parsing overlap (issue 15). If the start-up call fails, the app starts empty and its
// own queries ask again, showing the error as they always do.
import type { QueryClient } from "@tanstack/react-query";
import { commands } from "./ipc/bindings";
import "./styles.css";

const boot = commands.bootstrap().catch(() => null);

async function start(): Promise<void> {
  const root = document.getElementById("root");
  if (!root) return;
  const [{ StrictMode, createElement }, { createRoot }, { App }, seed, answer] = await Promise.all([
    import("react"),
    import("react-dom/client"),
    import("./App"),
    import("./query/seed"),
    boot,
  ]);
  const client: QueryClient = seed.makeQueryClient();
  if (answer?.status === "ok") seed.seedStartup(client, answer.data);
  // Which way the first screen was filled, for the end-to-end test.
  document.documentElement.dataset.boot = answer?.status === "ok" ? "seeded" : "fallback";
  createRoot(root).render(createElement(StrictMode, null, createElement(App, { client })));
}

void start();
