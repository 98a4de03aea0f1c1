// Starting a session: the environment, one of its allow-listed test buyers, whether the watcher
// may delete what it reads, and the sessions already recorded for that environment.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { EnvironmentView, EnvKind, PurchaseSession } from "../../ipc";
import { api } from "../../ipc";
import type { Act } from "./act";

export function StartSession(props: {
  workspaceId: string;
  env: EnvKind;
  environment: EnvironmentView | undefined;
  onEnv: (env: EnvKind) => void;
  sessions: PurchaseSession[];
  selected: string | null;
  onSelect: (id: string) => void;
  busy: boolean;
  act: Act;
}) {
  const { t, fmt } = useI18n();
  const { env, sessions, selected, busy, act } = props;
  const settings = props.environment?.settings;
  const buyers = settings?.test_buyer_account_ids ?? [];
  const [buyer, setBuyer] = useState("");
  const chosenBuyer = buyers.includes(buyer) ? buyer : (buyers[0] ?? "");
  const [deleteMessages, setDeleteMessages] = useState(false);
  const sandbox = settings?.mode === "sandbox";
  const queue = settings?.sqs_queue_url ?? "";

  const start = () =>
    act(async () => {
      const s = await api.purchaseStart({
        workspace_id: props.workspaceId,
        env,
        buyer_account: chosenBuyer,
        delete_messages: deleteMessages,
        open_product_page: true,
      });
      props.onSelect(s.id);
    });

  return (
    <section className="card">
      <div className="row gap">
        <label className="field">
          <span>{t("environment")}</span>
          <select
            value={env}
            onChange={(e) => props.onEnv(e.target.value as EnvKind)}
            data-testid="purchase-env"
          >
            <option value="staging">{t("staging")}</option>
            <option value="production">{t("production")}</option>
          </select>
        </label>
        <label className="field">
          <span>{t("purchaseBuyer")}</span>
          <select
            value={chosenBuyer}
            onChange={(e) => setBuyer(e.target.value)}
            data-testid="purchase-buyer"
          >
            {buyers.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="field">
          <legend>{t("purchaseMessages")}</legend>
          <label>
            <input
              type="radio"
              name="purchase-delete"
              checked={!deleteMessages}
              onChange={() => setDeleteMessages(false)}
            />{" "}
            {t("purchasePeek")}
          </label>
          <label>
            <input
              type="radio"
              name="purchase-delete"
              checked={deleteMessages}
              onChange={() => setDeleteMessages(true)}
              data-testid="purchase-delete"
            />{" "}
            {t("purchaseDelete")}
          </label>
        </fieldset>
      </div>
      <p className="small muted">
        {sandbox ? t("purchaseModeSandbox") : t("purchaseModeReal")}{" "}
        {queue !== ""
          ? t("purchaseQueue", { url: queue })
          : sandbox
            ? t("purchaseNoQueueSandbox")
            : t("purchaseNoQueue")}
      </p>
      {buyers.length === 0 ? (
        <p className="field-error">{t("purchaseNoBuyers")}</p>
      ) : (
        <button
          type="button"
          className="btn primary"
          disabled={busy}
          onClick={start}
          data-testid="purchase-start"
        >
          {t("purchaseStart")}
        </button>
      )}
      {sessions.length > 0 && (
        <div className="top-gap">
          <h3>{t("purchaseSessions")}</h3>
          <ul className="plain small" data-testid="purchase-sessions">
            {sessions.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className={s.id === selected ? "btn small primary" : "btn small ghost"}
                  onClick={() => props.onSelect(s.id)}
                >
                  {fmt.dateTime(s.started_at)} · {s.buyer_account} · {t(`purchaseState_${s.state}`)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
