import { useState } from "react";
import { useI18n } from "../i18n";
import { api } from "../ipc";
import { Dialog } from "./Dialog";

export function NewWorkspaceDialog(props: {
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [product, setProduct] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!name.trim()) {
      setError(t("workspaceName"));
      return;
    }
    setBusy(true);
    try {
      const ws = await api.createWorkspace(name, product);
      props.onCreated(ws.id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t("newWorkspace")}
      onClose={props.onClose}
      testId="new-workspace-dialog"
      footer={
        <>
          <button type="button" className="btn ghost" onClick={props.onClose}>
            {t("cancel")}
          </button>
          <button
            type="submit"
            form="new-ws-form"
            className="btn primary"
            disabled={busy}
            data-testid="create-workspace"
          >
            {t("createWorkspace")}
          </button>
        </>
      }
    >
      <form
        id="new-ws-form"
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span>{t("workspaceName")}</span>
          <input
            data-testid="workspace-name"
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={!!error}
          />
        </label>
        <label className="field">
          <span>{t("productName")}</span>
          <input
            data-testid="workspace-product"
            value={product}
            onChange={(e) => setProduct(e.target.value)}
          />
          <small className="hint">{t("productNameHint")}</small>
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
