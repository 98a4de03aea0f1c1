// Every cached backend answer has a key here. Keys start with the kind of data they hold, then
// the workspace, so a change of one kind in one workspace can name exactly what it made stale.
import type { EnvKind } from "../ipc";

export const qk = {
  appInfo: ["appInfo"] as const,
  checklist: ["checklist"] as const,
  preferences: ["preferences"] as const,
  awsProfiles: ["awsProfiles"] as const,
  scenarios: ["purchaseScenarios"] as const,
  workspaces: ["workspaces"] as const,
  /** One workspace: its environments, item states and progress. */
  workspace: (id: string) => ["workspace", id] as const,
  itemHistory: (ws: string, item: string) => ["itemHistory", ws, item] as const,
  evidence: (ws: string, item: string) => ["evidence", ws, item] as const,
  checkResults: (ws: string, env: EnvKind) => ["checks", ws, env, "latest"] as const,
  checkHistory: (ws: string, env: EnvKind) => ["checks", ws, env, "history"] as const,
  /** The live count of a run in progress; set by the run itself, never fetched. */
  checkProgress: (ws: string, env: EnvKind) => ["checkProgress", ws, env] as const,
  purchaseSessions: (ws: string, env: EnvKind) => ["purchase", ws, "sessions", env] as const,
  purchaseView: (ws: string, session: string) => ["purchase", ws, "view", session] as const,
  /** An environment's listing as the page opens it (file, AWS or draft). */
  listingDoc: (ws: string, env: EnvKind) => ["listing", ws, env, "doc"] as const,
  listingHistory: (ws: string, env: EnvKind) => ["listing", ws, env, "history"] as const,
  listingLint: (ws: string, env: EnvKind) => ["listing", ws, env, "lint"] as const,
  release: (ws: string) => ["listing", ws, "release"] as const,
  fixable: ["fixable"] as const,
  sandboxStatus: ["sandbox", "status"] as const,
  sandboxProducts: ["sandbox", "products"] as const,
  sandboxActivity: ["sandbox", "activity"] as const,
};
