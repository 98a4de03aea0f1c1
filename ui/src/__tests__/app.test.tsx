import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeBackend } from "./fixtures";

let backend = makeBackend();
/** Every backend call, in order: what a change made the app read again. */
let asked: string[] = [];

vi.mock("../ipc", () => ({
  api: new Proxy(
    {},
    {
      get:
        (_t, name: string) =>
        (...args: unknown[]) => {
          asked.push(name);
          return (backend.api as Record<string, (...a: unknown[]) => unknown>)[name](...args);
        },
    },
  ),
  IpcError: class extends Error {},
  onStoreChanged: async (cb: (e: unknown) => void) => {
    backend.listeners.push(cb);
    return () => {};
  },
  pickFiles: async () => [],
  openExternal: async () => {},
}));

const { App } = await import("../App");
const { seedStartup } = await import("../query/app");
const { makeQueryClient } = await import("../query/client");

beforeEach(() => {
  backend = makeBackend();
  asked = [];
  window.matchMedia = vi.fn().mockReturnValue({
    matches: false,
    addEventListener: () => {},
    removeEventListener: () => {},
  });
});

/** Announces a committed write as the backend does, and waits for the reads it causes. */
async function announce(e: { workspace_id: string | null; kind: string }): Promise<string[]> {
  asked = [];
  await act(async () => {
    for (const l of backend.listeners) l(e);
  });
  await waitFor(() => expect(screen.getByTestId("overview")).toBeInTheDocument());
  return [...asked].sort();
}

describe("start-up", () => {
  it("draws the first screen from the one start-up answer and asks for nothing it holds", async () => {
    const b = backend.api;
    const workspaces = await b.listWorkspaces();
    const client = makeQueryClient();
    seedStartup(client, {
      info: await b.appInfo(),
      preferences: await b.getPreferences(),
      checklist: await b.getChecklist(),
      workspaces,
      workspace: await b.getWorkspace(),
    });
    asked = [];
    render(<App client={client} />);
    await screen.findByTestId("overview");
    await waitFor(() => expect(asked).toContain("reportReady"));
    // Only the ready signal and the once-per-start re-read of open change sets: nothing the
    // start-up answer already held.
    expect([...asked].sort()).toEqual(["listingRefresh", "reportReady"]);
  });

  it("without the start-up answer, asks for each part itself", async () => {
    render(<App />);
    await screen.findByTestId("overview");
    for (const q of [
      "appInfo",
      "getChecklist",
      "getPreferences",
      "listWorkspaces",
      "getWorkspace",
    ]) {
      expect(asked).toContain(q);
    }
  });
});

describe("store changes", () => {
  it("read again only what their kind changed", async () => {
    render(<App />);
    await screen.findByTestId("overview");
    expect(await announce({ workspace_id: null, kind: "preferences" })).toEqual(["getPreferences"]);
    expect(await announce({ workspace_id: "w1", kind: "environment" })).toEqual(["getWorkspace"]);
    expect(await announce({ workspace_id: "w1", kind: "item_status" })).toEqual([
      "getWorkspace",
      "listWorkspaces",
    ]);
    // Another workspace's statuses move its progress in the list, not the workspace shown.
    expect(await announce({ workspace_id: "w2", kind: "item_status" })).toEqual(["listWorkspaces"]);
    // Nothing on screen shows purchase sessions: nothing to read.
    expect(await announce({ workspace_id: "w1", kind: "purchase" })).toEqual([]);
  });

  it("never ask for a deleted workspace again, and show the empty state after the last one", async () => {
    const user = userEvent.setup();
    window.confirm = vi.fn().mockReturnValue(true);
    render(<App />);
    await user.click(await screen.findByRole("button", { name: "Delete workspace" }));
    expect(await screen.findByText("No workspace yet")).toBeInTheDocument();
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(asked.slice(asked.indexOf("deleteWorkspace"))).not.toContain("getWorkspace");
  });

  it("refresh an open item's history when its status changes, and only then", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-step-2"));
    const item = await screen.findByTestId("item-seller.public_profile");
    await user.click(within(item).getByTestId("toggle-history"));
    await waitFor(() =>
      expect(within(item).getByTestId("history")).toHaveTextContent("No changes"),
    );
    asked = [];
    await user.click(within(item).getByTestId("mark-na"));
    await user.click(screen.getByTestId("confirm-status"));
    await waitFor(() =>
      expect(within(item).getByTestId("history")).toHaveTextContent("Not started → Not applicable"),
    );
    expect(asked.filter((n) => n === "itemHistory")).toEqual(["itemHistory"]);
    expect(asked).not.toContain("getChecklist");
    expect(asked).not.toContain("getPreferences");
    expect(asked).not.toContain("appInfo");
  });
});

describe("the wizard", () => {
  it("opens on the overview of the remembered workspace", async () => {
    render(<App />);
    expect(await screen.findByTestId("overview")).toHaveTextContent("Acme Insights (demo)");
    expect(screen.getByTestId("overall-progress")).toHaveTextContent("0/2");
  });

  it("shows automated items as not yet checkable, never as passed, without an attest button", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-step-1"));
    const item = await screen.findByTestId("item-seller.identity");
    expect(within(item).getByTestId("not-checkable")).toHaveTextContent("identity.caller");
    expect(within(item).getByTestId("item-status")).toHaveTextContent("Not started");
    expect(within(item).queryByTestId("attest")).toBeNull();
  });

  it("attests an item with a note and shows the blocked-by banner", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-step-2"));
    expect(await screen.findByTestId("blocked-banner")).toHaveTextContent("Step 1");
    const item = screen.getByTestId("item-seller.public_profile");
    await user.click(within(item).getByTestId("attest"));
    await user.type(screen.getByTestId("status-note"), "Checked the profile");
    await user.click(screen.getByTestId("confirm-status"));
    expect(backend.state.calls).toContain("setItemStatus:seller.public_profile:passed");
    await waitFor(() =>
      expect(
        within(screen.getByTestId("item-seller.public_profile")).getByTestId("item-status"),
      ).toHaveTextContent("Passed"),
    );
    expect(screen.getByTestId("item-note")).toHaveTextContent("Checked the profile");
  });

  it("refuses a waiver without a reason and writes nothing", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-step-2"));
    const item = await screen.findByTestId("item-seller.public_profile");
    await user.click(within(item).getByTestId("waive"));
    await user.click(screen.getByTestId("confirm-status"));
    expect(await screen.findByRole("alert")).toHaveTextContent("A waiver needs a reason.");
    expect(backend.state.calls.filter((c) => c.startsWith("setItemStatus"))).toEqual([]);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("status-dialog")).toBeNull();
  });

  it("shows field errors inline and only saves valid settings", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-env-staging"));
    await user.type(await screen.findByTestId("field-seller_account_id"), "12345");
    expect(await screen.findByTestId("error-seller_account_id")).toHaveTextContent("12 digits");
    expect(screen.getByTestId("save-env")).toBeDisabled();
    await user.type(screen.getByTestId("field-seller_account_id"), "6789012");
    await waitFor(() => expect(screen.queryByTestId("error-seller_account_id")).toBeNull());
    await user.click(screen.getByTestId("save-env"));
    await waitFor(() => expect(backend.state.calls).toContain("saveEnvironment"));
    expect(backend.state.settings.seller_account_id).toBe("123456789012");
  });

  it("stores temporary keys with their session token, and says when it is missing", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-env-staging"));
    await user.selectOptions(await screen.findByTestId("field-credential_source"), "access_keys");
    await user.type(screen.getByTestId("access-key-id"), "ASIAEXAMPLETEMPKEY42");
    await user.type(screen.getByTestId("secret-access-key"), "wJalrXUtnFEMI/K7MDENG/bPxRfiCY");
    expect(screen.getByTestId("session-token")).toHaveAttribute("type", "password");
    await user.click(screen.getByTestId("store-keys"));
    expect(await screen.findByText(/starts with ASIA/)).toBeInTheDocument();
    expect(backend.state.calls).not.toContain("setAccessKeys");
    await user.type(screen.getByTestId("session-token"), "IQoJb3JpZ2luX2VjEExampleToken==");
    await user.click(screen.getByTestId("store-keys"));
    await waitFor(() => expect(backend.state.calls).toContain("setAccessKeys"));
    expect(backend.state.keys).toEqual([
      "ASIAEXAMPLETEMPKEY42",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
      "IQoJb3JpZ2luX2VjEExampleToken==",
    ]);
    // Long-term keys go without a token.
    await user.type(screen.getByTestId("access-key-id"), "AKIAEXAMPLELONGKEY42");
    await user.type(screen.getByTestId("secret-access-key"), "wJalrXUtnFEMI/K7MDENG/bPxRfiCY");
    await user.click(screen.getByTestId("store-keys"));
    await waitFor(() => expect(backend.state.keys?.[0]).toBe("AKIAEXAMPLELONGKEY42"));
    expect(backend.state.keys?.[2]).toBeNull();
  });

  it.each([
    ["en", "locked", "The keychain is locked"],
    ["ja", "locked", "キーチェーンがロックされています"],
    ["en", "unavailable", "No keychain is available"],
    ["ja", "unavailable", "利用できるキーチェーンがない"],
  ] as const)("in %s, a %s keychain is said, not “no keys stored”", async (lang, kind, text) => {
    backend.state.prefs.language = lang;
    backend.state.keychainProblem = { kind, detail: "(the store's own words)" };
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("nav-env-staging"));
    await user.selectOptions(screen.getByTestId("field-credential_source"), "access_keys");
    const state = screen.getByTestId("keys-state");
    expect(state).toHaveTextContent(text);
    expect(state).toHaveTextContent("(the store's own words)");
    expect(state).not.toHaveTextContent(/No access keys stored|保存されていません/);
  });

  it("switches every string to Japanese", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("lang-ja"));
    expect(await screen.findByTestId("nav-overview")).toHaveTextContent("概要");
    expect(backend.state.prefs.language).toBe("ja");
    await user.click(screen.getByTestId("nav-step-2"));
    expect(await screen.findByTestId("step-title")).toHaveTextContent(
      "公開プロフィールと支払い設定",
    );
    await user.click(screen.getByTestId("nav-env-staging"));
    await user.type(await screen.findByTestId("field-seller_account_id"), "1");
    expect(await screen.findByTestId("error-seller_account_id")).toHaveTextContent("12 桁");
  });

  it("moves through the rail with the arrow keys", async () => {
    const user = userEvent.setup();
    render(<App />);
    const overview = await screen.findByTestId("nav-overview");
    act(() => overview.focus());
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("nav-step-1")).toHaveFocus();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(await screen.findByTestId("step-2")).toBeInTheDocument();
  });
});
