// Attest (note + files), mark failed, waive (reason required) or mark not applicable.
import { useState } from "react";
import { useI18n } from "../i18n";
import type { Item, ItemStatus } from "../ipc";
import { api, pickFiles } from "../ipc";
import { Dialog } from "./Dialog";

export type StatusAction = "attest" | "fail" | "waive" | "na";

const target: Record<StatusAction, ItemStatus> = {
  attest: "passed",
  fail: "failed",
  waive: "waived",
  na: "not_applicable",
};

export function StatusDialog(props: {
  action: StatusAction;
  workspaceId: string;
  item: Item;
  onClose: () => void;
  onError: (e: unknown) => void;
}) {
  const { t, tx } = useI18n();
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [files, setFiles] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const title = {
    attest: t("attestTitle", { item: tx(props.item.title) }),
    fail: t("failTitle", { item: tx(props.item.title) }),
    waive: t("waiveTitle", { item: tx(props.item.title) }),
    na: t("naTitle", { item: tx(props.item.title) }),
  }[props.action];

  const submit = async () => {
    if (props.action === "waive" && !reason.trim()) {
      setError(t("reasonRequired"));
      return;
    }
    setBusy(true);
    try {
      // Files first: if one cannot be read, nothing about the status has changed yet.
      for (const f of files) await api.addEvidence(props.workspaceId, props.item.id, f);
      await api.setItemStatus({
        workspace_id: props.workspaceId,
        item_id: props.item.id,
        status: target[props.action],
        note,
        waiver_reason: props.action === "waive" ? reason : null,
      });
      props.onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={title}
      onClose={props.onClose}
      testId="status-dialog"
      footer={
        <>
          <button type="button" className="btn ghost" onClick={props.onClose}>
            {t("cancel")}
          </button>
          <button
            type="submit"
            form="status-form"
            className={props.action === "fail" ? "btn danger" : "btn primary"}
            disabled={busy}
            data-testid="confirm-status"
          >
            {t("confirm")}
          </button>
        </>
      }
    >
      <form
        id="status-form"
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {props.action === "waive" && (
          <label className="field">
            <span>{t("waiverReason")}</span>
            <textarea
              rows={2}
              value={reason}
              placeholder={t("waiverPlaceholder")}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={!!error}
              data-testid="waiver-reason"
            />
          </label>
        )}
        <label className="field">
          <span>{t("note")}</span>
          <textarea
            rows={4}
            value={note}
            placeholder={t("notePlaceholder")}
            onChange={(e) => setNote(e.target.value)}
            data-testid="status-note"
          />
        </label>
        {(props.action === "attest" || props.action === "fail") && (
          <div className="field">
            <span>{t("evidence")}</span>
            <div className="row gap">
              <button
                type="button"
                className="btn small"
                onClick={async () => {
                  try {
                    const picked = await pickFiles();
                    setFiles((f) => [...f, ...picked.filter((p) => !f.includes(p))]);
                  } catch (e) {
                    props.onError(e);
                  }
                }}
              >
                {t("addFiles")}
              </button>
              <span className="small muted">{t("evidenceCount", { n: files.length })}</span>
            </div>
            {files.length > 0 && (
              <ul className="plain small">
                {files.map((f) => (
                  <li key={f}>
                    📎 {f.split(/[\\/]/).pop()}{" "}
                    <button
                      type="button"
                      className="link"
                      onClick={() => setFiles((all) => all.filter((x) => x !== f))}
                    >
                      {t("remove")}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
