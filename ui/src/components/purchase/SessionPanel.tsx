// The open session: whether it still runs, each watcher's state (and why one is retrying), the
// buyer's actions in sandbox mode, and the tester's own steps and notes on the timeline.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { EnvironmentView, PurchaseView, SessionState, WatcherState } from "../../ipc";
import { api } from "../../ipc";
import type { Act } from "./act";
import { BuyerActions } from "./BuyerActions";

const watcherPill: Record<WatcherState, string> = {
  starting: "pill in_progress",
  running: "pill passed",
  retrying: "pill failed",
  stopped: "pill",
};

/** What to call the session: a session the store says runs but no watcher does was cut off. */
export function shownState(view: PurchaseView): SessionState {
  const state = view.detail.session.state;
  if (view.running) return "running";
  return state === "running" ? "interrupted" : state;
}

export function SessionPanel(props: {
  view: PurchaseView;
  env: EnvironmentView | undefined;
  busy: boolean;
  act: Act;
}) {
  const { t } = useI18n();
  const { view, busy, act } = props;
  const session = view.detail.session;
  const running = view.running;
  const [note, setNote] = useState("");

  return (
    <section className="card" data-testid="purchase-session">
      <div className="row between">
        <h2>
          {t("purchaseSessionOf", { buyer: session.buyer_account })}{" "}
          <span className={running ? "pill passed" : "pill"} data-testid="purchase-running">
            {t(`purchaseState_${shownState(view)}`)}
          </span>
        </h2>
        {running && (
          <button
            type="button"
            className="btn danger small"
            disabled={busy}
            onClick={() => act(() => api.purchaseStop(session.id))}
            data-testid="purchase-stop"
          >
            {t("purchaseStop")}
          </button>
        )}
      </div>
      {running && (
        <ul className="plain row gap small" data-testid="purchase-watchers">
          {view.watchers.map((w) => (
            <li key={w.watcher} title={w.error ?? w.target}>
              <span className={watcherPill[w.state]}>{t(`watcher_${w.watcher}`)}</span>{" "}
              {t(`watcherState_${w.state}`)}
              {w.error && (
                <span className="field-error">
                  {" "}
                  {w.error} ({t("purchaseRetryIn", { s: Math.round((w.retry_in_ms ?? 0) / 1000) })})
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {running && session.mode === "sandbox" && (
        <BuyerActions session={session} env={props.env} busy={busy} act={act} />
      )}
      {running && (
        <div className="row gap top-gap">
          {session.mode === "real" && (
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() =>
                act(() => api.purchaseNote(session.id, "landing", t("purchaseLandedNote")))
              }
              data-testid="purchase-landed"
            >
              {t("purchaseLanded")}
            </button>
          )}
          <label className="field grow">
            <span className="sr-only">{t("purchaseNote")}</span>
            <input
              value={note}
              placeholder={t("purchaseNotePlaceholder")}
              onChange={(e) => setNote(e.target.value)}
              data-testid="purchase-note"
            />
          </label>
          <button
            type="button"
            className="btn"
            disabled={busy || note.trim() === ""}
            onClick={() =>
              act(async () => {
                await api.purchaseNote(session.id, "note", note);
                setNote("");
              })
            }
          >
            {t("purchaseAddNote")}
          </button>
        </div>
      )}
    </section>
  );
}
