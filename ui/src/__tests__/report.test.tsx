import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { I18nContext, makeI18n } from "../i18n";
import type { Language, ReportRequest, ReportScope, Workspace } from "../ipc";

const calls: unknown[][] = [];
let savePath: string | null = "/tmp/out.pdf";
let exportError: Error | null = null;

vi.mock("../ipc", () => ({
  api: {
    reportPreview: async (ws: string, scope: ReportScope, language: Language) => {
      calls.push(["preview", ws, scope, language]);
      return `<html><body><h1>Report ${scope} ${language}</h1></body></html>`;
    },
    exportReport: async (request: ReportRequest, path: string) => {
      calls.push(["export", request, path]);
      if (exportError) throw exportError;
      return {
        path,
        bytes: 2048,
        digest: "ab".repeat(32),
        evidence_files: request.with_evidence ? 3 : 0,
      };
    },
    openExportedReport: async () => {
      calls.push(["open"]);
    },
  },
  pickSaveReport: async (name: string, ext: string, filter: string) => {
    calls.push(["save", name, ext, filter]);
    return savePath;
  },
}));

const { ReportDialog, defaultFileName } = await import("../components/ReportDialog");

const ws: Workspace = {
  id: "ws-1",
  name: "Demo",
  product_name: "Acme Insights (demo)",
  is_demo: true,
  created_at: "2026-11-23T10:00:00Z",
  updated_at: "2026-11-23T10:00:00Z",
};

function show(lang: Language = "en") {
  const closed: string[] = [];
  render(
    <I18nContext.Provider value={makeI18n(lang)}>
      <ReportDialog workspace={ws} onClose={() => closed.push("x")} />
    </I18nContext.Provider>,
  );
  return closed;
}

describe("the report dialog", () => {
  beforeEach(() => {
    calls.length = 0;
    savePath = "/tmp/out.pdf";
    exportError = null;
  });

  it("exports the chosen format, language and scope through the save dialog", async () => {
    const user = userEvent.setup();
    show();
    expect(screen.getByTestId("report-format-pdf")).toBeChecked();
    expect(screen.getByTestId("report-language")).toHaveValue("en");
    await user.click(screen.getByTestId("report-format-json"));
    await user.selectOptions(screen.getByTestId("report-scope"), "staging");
    await user.selectOptions(screen.getByTestId("report-language"), "ja");
    await user.click(screen.getByTestId("report-export"));
    expect(await screen.findByTestId("report-done")).toHaveTextContent("/tmp/out.pdf (2.0 KiB)");
    expect(screen.getByTestId("report-digest")).toHaveTextContent("ab".repeat(32));
    expect(calls[0]).toEqual([
      "save",
      "Acme-Insights-demo-report-staging-ja.json",
      "json",
      "JSON (with integrity digest)",
    ]);
    expect(calls[1]).toEqual([
      "export",
      {
        workspace_id: "ws-1",
        scope: "staging",
        language: "ja",
        format: "json",
        with_evidence: false,
      },
      "/tmp/out.pdf",
    ]);
    await user.click(screen.getByTestId("report-open-file"));
    await waitFor(() => expect(calls[2]).toEqual(["open"]));
  });

  it("writes a zip when the evidence files are included", async () => {
    const user = userEvent.setup();
    show();
    await user.click(screen.getByTestId("report-with-evidence"));
    await user.click(screen.getByTestId("report-export"));
    expect(await screen.findByTestId("report-done")).toHaveTextContent(
      "3 evidence files included.",
    );
    expect(calls[0]).toEqual([
      "save",
      "Acme-Insights-demo-report-workspace-en.zip",
      "zip",
      "Zip archive",
    ]);
  });

  it("does nothing when the save dialog is cancelled, and shows an export error", async () => {
    const user = userEvent.setup();
    show();
    savePath = null;
    await user.click(screen.getByTestId("report-export"));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(screen.queryByTestId("report-done")).toBeNull();
    savePath = "/nope/r.pdf";
    exportError = new Error("The folder /nope does not exist.");
    await user.click(screen.getByTestId("report-export"));
    expect(await screen.findByTestId("report-error")).toHaveTextContent("/nope does not exist");
  });

  it("previews the HTML report inside the app, in the chosen language", async () => {
    const user = userEvent.setup();
    show("ja");
    expect(screen.getByTestId("report-language")).toHaveValue("ja");
    expect(screen.getByRole("dialog")).toHaveTextContent("審査用レポートのエクスポート");
    await user.click(screen.getByTestId("report-preview-button"));
    const frame = await screen.findByTestId("report-preview");
    expect(frame.getAttribute("srcdoc")).toContain("Report workspace ja");
    // Scripts never run in the preview.
    expect(frame.getAttribute("sandbox")).toBe("");
    // Another scope drops the stale preview.
    await user.selectOptions(screen.getByTestId("report-scope"), "production");
    expect(screen.queryByTestId("report-preview")).toBeNull();
  });

  it("names files after the product", () => {
    expect(defaultFileName(ws, "production", "en", "pdf")).toBe(
      "Acme-Insights-demo-report-production-en.pdf",
    );
    expect(
      defaultFileName({ ...ws, product_name: "", name: "日本 製品" }, "workspace", "ja", "md"),
    ).toBe("日本-製品-report-workspace-ja.md");
  });
});
