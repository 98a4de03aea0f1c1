// Invalidation per kind of change: a write makes stale the answers of its own kind, in its own
// workspace, and nothing else.
import type { QueryKey } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyChange, type Change, keysFor } from "../query/changes";
import { makeQueryClient } from "../query/client";
import { qk } from "../query/keys";

/** One cached answer of every kind, in two workspaces where a kind is per workspace. */
const cached: Record<string, QueryKey> = {
  appInfo: qk.appInfo,
  checklist: qk.checklist,
  preferences: qk.preferences,
  scenarios: qk.scenarios,
  workspaces: qk.workspaces,
  "workspace w1": qk.workspace("w1"),
  "workspace w2": qk.workspace("w2"),
  "history w1": qk.itemHistory("w1", "seller.identity"),
  "history w2": qk.itemHistory("w2", "seller.identity"),
  "evidence w1": qk.evidence("w1", "seller.identity"),
  "evidence w2": qk.evidence("w2", "seller.identity"),
  "results w1 staging": qk.checkResults("w1", "staging"),
  "results w1 production": qk.checkResults("w1", "production"),
  "runs w1 staging": qk.checkHistory("w1", "staging"),
  "results w2 staging": qk.checkResults("w2", "staging"),
  "sessions w1": qk.purchaseSessions("w1", "staging"),
  "session view w1": qk.purchaseView("w1", "s-1"),
  "sessions w2": qk.purchaseSessions("w2", "staging"),
  "sandbox status": qk.sandboxStatus,
  "sandbox activity": qk.sandboxActivity,
};

async function staleAfter(change: Change): Promise<string[]> {
  const client = makeQueryClient();
  for (const key of Object.values(cached)) client.setQueryData(key, { cached: true });
  await applyChange(client, change);
  return Object.entries(cached)
    .filter(([, key]) => client.getQueryState(key)?.isInvalidated)
    .map(([name]) => name)
    .sort();
}

describe("a change invalidates only its kind", () => {
  const cases: [Change, string[]][] = [
    [{ kind: "preferences", workspace_id: null }, ["preferences"]],
    [{ kind: "workspaces", workspace_id: "w1" }, ["workspace w1", "workspaces"]],
    [{ kind: "environment", workspace_id: "w1" }, ["workspace w1"]],
    [{ kind: "item_status", workspace_id: "w1" }, ["history w1", "workspace w1", "workspaces"]],
    [{ kind: "evidence", workspace_id: "w1" }, ["evidence w1", "workspace w1"]],
    [{ kind: "purchase", workspace_id: "w1" }, ["session view w1", "sessions w1"]],
    [
      { kind: "check_runs", workspace_id: "w1", env: "staging" },
      ["results w1 staging", "runs w1 staging"],
    ],
    [{ kind: "sandbox" }, ["sandbox activity", "sandbox status"]],
  ];
  for (const [change, expected] of cases) {
    it(`${change.kind} → ${expected.join(", ")}`, async () => {
      expect(await staleAfter(change)).toEqual(expected);
    });
  }

  it("a deleted workspace is forgotten, not read again", async () => {
    const client = makeQueryClient();
    client.setQueryData(qk.workspaces, [{ workspace: { id: "w2" } }]);
    client.setQueryData(qk.workspace("w1"), { cached: true });
    client.setQueryData(qk.workspace("w2"), { cached: true });
    await applyChange(client, { kind: "workspaces", workspace_id: "w1" });
    expect(client.getQueryState(qk.workspace("w1"))).toBeUndefined();
    expect(client.getQueryState(qk.workspace("w2"))?.isInvalidated).toBe(false);
    // Renamed (still listed): read again.
    await applyChange(client, { kind: "workspaces", workspace_id: "w2" });
    expect(client.getQueryState(qk.workspace("w2"))?.isInvalidated).toBe(true);
  });

  it("a change with no workspace reaches that kind in every workspace", async () => {
    expect(await staleAfter({ kind: "environment", workspace_id: null })).toEqual([
      "workspace w1",
      "workspace w2",
    ]);
  });

  it("a kind this build does not know refreshes everything rather than leave data stale", async () => {
    const unknown = { kind: "check_run_labels", workspace_id: "w1" } as unknown as Change;
    expect(keysFor(unknown)).toEqual([[]]);
    expect(await staleAfter(unknown)).toEqual(Object.keys(cached).sort());
  });

  it("never touches what no write changes (the app's info, the checklist, the scenarios)", async () => {
    const all: Change[] = [
      ...cases.map(([c]) => c),
      { kind: "workspaces", workspace_id: null },
      { kind: "item_status", workspace_id: null },
    ];
    for (const change of all) {
      const stale = await staleAfter(change);
      expect(stale, change.kind).not.toContain("appInfo");
      expect(stale, change.kind).not.toContain("checklist");
      expect(stale, change.kind).not.toContain("scenarios");
    }
  });
});
