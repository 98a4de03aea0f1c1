// The reviewer report: choose format, language and scope (and whether to bundle the evidence
// files in a zip), preview the HTML report inside the app, export through the native save dialog.
import { useState } from "react";
import { useI18n } from "../i18n";
import type { Language, ReportExported, ReportFormat, ReportScope, Workspace } from "../ipc";
import { api, pickSaveReport } from "../ipc";
import { Dialog } from "./Dialog";

const FORMATS: ReportFormat[] = ["html", "pdf", "md", "json", "csv"];
const SCOPES: ReportScope[] = ["workspace", "staging", "production"];

/** `Acme Insights (demo)` → `Acme-Insights-demo-report-staging-ja.pdf`. */
export function defaultFileName(
  ws: Workspace,
  scope: ReportScope,
  language: Language,
  ext: string,
): string {
  const base = (ws.product_name || ws.name)
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  return `${base || "workspace"}-report-${scope}-${language}.${ext}`;
}

export function ReportDialog(props: { workspace: Workspace; onClose: () => void }) {
  const { t, lang, fmt } = useI18n();
  const [format, setFormat] = useState<ReportFormat>("pdf");
  const [language, setLanguage] = useState<Language>(lang);
  const [scope, setScope] = useState<ReportScope>("workspace");
  const [withEvidence, setWithEvidence] = useState(false);
  const [busy, setBusy] = useState<"preview" | "export" | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [done, setDone] = useState<ReportExported | null>(null);
  const [error, setError] = useState<string | null>(null);

  // A preview of other choices would mislead: a choice drops it (in the same render, so the
  // stale preview is never shown with the new choice).
  const choose =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPreview(null);
      setDone(null);
    };
  const chooseLanguage = choose(setLanguage);
  const chooseScope = choose(setScope);

  const showPreview = async () => {
    setBusy("preview");
    setError(null);
    try {
      setPreview(await api.reportPreview(props.workspace.id, scope, language));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  const exportReport = async () => {
    setError(null);
    setDone(null);
    const ext = withEvidence ? "zip" : format;
    let path: string | null;
    try {
      path = await pickSaveReport(
        defaultFileName(props.workspace, scope, language, ext),
        ext,
        withEvidence ? t("reportZip") : t(`reportFormat_${format}`),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    if (!path) return;
    setBusy("export");
    try {
      setDone(
        await api.exportReport(
          {
            workspace_id: props.workspace.id,
            scope,
            language,
            format,
            with_evidence: withEvidence,
          },
          path,
        ),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Dialog
      title={t("reportTitle")}
      onClose={props.onClose}
      testId="report-dialog"
      wide={preview !== null}
      footer={
        <>
          <button type="button" className="btn" onClick={props.onClose}>
            {t("close")}
          </button>
          <button
            type="button"
            className="btn"
            onClick={showPreview}
            disabled={busy !== null}
            data-testid="report-preview-button"
          >
            {busy === "preview" ? t("reportPreparing") : t("reportPreview")}
          </button>
          <button
            type="button"
            className="btn primary"
            onClick={exportReport}
            disabled={busy !== null}
            data-testid="report-export"
          >
            {busy === "export" ? t("reportExporting") : t("reportExport")}
          </button>
        </>
      }
    >
      <p className="muted small">{t("reportIntro")}</p>
      <fieldset className="field report-formats">
        <legend>{t("reportFormat")}</legend>
        {FORMATS.map((f) => (
          <label key={f} className="radio">
            <input
              type="radio"
              name="report-format"
              value={f}
              checked={format === f}
              onChange={() => setFormat(f)}
              data-testid={`report-format-${f}`}
            />
            {t(`reportFormat_${f}`)}
          </label>
        ))}
      </fieldset>
      <div className="row gap">
        <label className="field grow">
          <span>{t("reportLanguage")}</span>
          <select
            value={language}
            onChange={(e) => chooseLanguage(e.target.value as Language)}
            data-testid="report-language"
          >
            <option value="en">English</option>
            <option value="ja">日本語</option>
          </select>
        </label>
        <label className="field grow">
          <span>{t("reportScope")}</span>
          <select
            value={scope}
            onChange={(e) => chooseScope(e.target.value as ReportScope)}
            data-testid="report-scope"
          >
            {SCOPES.map((s) => (
              <option key={s} value={s}>
                {t(`reportScope_${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field checkbox">
        <input
          type="checkbox"
          checked={withEvidence}
          onChange={(e) => setWithEvidence(e.target.checked)}
          data-testid="report-with-evidence"
        />
        <span>{t("reportWithEvidence")}</span>
      </label>
      {error && (
        <p className="field-error" role="alert" data-testid="report-error">
          {error}
        </p>
      )}
      {done && (
        <div className="report-done" role="status" data-testid="report-done">
          <p>{t("reportWritten", { path: done.path, size: fmt.bytes(done.bytes) })}</p>
          {done.evidence_files > 0 && (
            <p className="small">{t("reportEvidenceFiles", { n: done.evidence_files })}</p>
          )}
          <p className="small muted">
            {t("reportDigest")}: <code data-testid="report-digest">{done.digest}</code>
          </p>
          <button
            type="button"
            className="btn small"
            onClick={() =>
              api
                .openExportedReport()
                .catch((e) => setError(e instanceof Error ? e.message : String(e)))
            }
            data-testid="report-open-file"
          >
            {t("reportOpenFile")}
          </button>
        </div>
      )}
      {preview !== null && (
        <iframe
          className="report-preview"
          title={t("reportPreviewTitle")}
          srcDoc={preview}
          sandbox=""
          data-testid="report-preview"
        />
      )}
    </Dialog>
  );
}
