// The one way a listing change reaches AWS (the Listing page's Apply, create from nothing, and
// Fix): the plan with AWS's validation first, then the confirmation — naming the environment,
// and on production the product title typed — then APPLY and its outcome per change.
import { type ReactNode, useEffect, useState } from "react";
import { useI18n } from "../../i18n";
import { type Applied, api, type EnvKind, type Listing, type PlanView } from "../../ipc";
import { cleaned } from "../../query/listing";
import { Dialog } from "../Dialog";
import { ChangeStates, CsPill } from "./ChangeSets";
import { ErrorList, PlanPanel } from "./PlanPanel";

export function ApplyDialog(props: {
  workspaceId: string;
  env: EnvKind;
  listing: Listing;
  /** What the record says it was for: `apply`, `create`, `fix:<check>`. */
  kind: string;
  title: string;
  /** Said above the plan (a Fix's summary). */
  intro?: ReactNode;
  onClose: () => void;
  onApplied?: (a: Applied) => void;
}) {
  const { t } = useI18n();
  const { workspaceId, env, kind, onApplied } = props;
  const [listing] = useState(() => cleaned(props.listing));
  const [planned, setPlanned] = useState<PlanView | null>(null);
  const [applied, setApplied] = useState<Applied | null>(null);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const envName = t(env);

  useEffect(() => {
    let gone = false;
    api
      .listingPlan(workspaceId, env, listing, true)
      .then((p) => !gone && setPlanned(p))
      .catch((e) => !gone && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => !gone && setBusy(false));
    return () => {
      gone = true;
    };
  }, [workspaceId, env, listing]);

  const accepted =
    !!planned &&
    planned.plan.changes.length > 0 &&
    planned.shape_errors.length === 0 &&
    planned.validation?.status.status === "SUCCEEDED";
  const titleOk = env !== "production" || typed.trim() === listing.product.title.trim();

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const a = await api.listingApply(workspaceId, env, listing, kind, typed);
      setApplied(a);
      onApplied?.(a);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const outcome = applied?.outcome;
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      testId="apply-dialog"
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={props.onClose} data-testid="apply-close">
            {applied ? t("close") : t("cancel")}
          </button>
          {!applied && (
            <button
              type="button"
              className="btn primary"
              disabled={busy || !accepted || !titleOk}
              onClick={apply}
              data-testid="apply-confirm"
            >
              {busy && planned ? t("working") : t("applyConfirm", { env: envName })}
            </button>
          )}
        </>
      }
    >
      {props.intro}
      {error && (
        <p className="banner error" role="alert" data-testid="apply-error">
          {error}
        </p>
      )}
      {!planned && busy && <p aria-busy="true">{t("working")}</p>}
      {planned && !applied && (
        <>
          <PlanPanel view={planned} />
          {planned.plan.changes.length === 0 ? (
            <p>{t("applyNothing")}</p>
          ) : !accepted ? (
            <p className="bad">{t("applyRefused")}</p>
          ) : (
            <div className={`confirm-box ${env}`} data-testid="apply-confirmation">
              <p>{t("applyNames", { env: envName })}</p>
              {env === "production" && (
                <label className="field">
                  <span>{t("applyTypeTitle", { title: listing.product.title })}</span>
                  <input
                    data-testid="apply-typed-title"
                    value={typed}
                    autoComplete="off"
                    spellCheck={false}
                    aria-label={t("applyConfirmField")}
                    onChange={(e) => setTyped(e.target.value)}
                  />
                </label>
              )}
            </div>
          )}
        </>
      )}
      {applied && !outcome && (
        <p className="bad" data-testid="apply-result">
          {t("applyRefused")}
        </p>
      )}
      {outcome && (
        <div data-testid="apply-result" data-status={outcome.status.status}>
          <p>
            <CsPill status={outcome.status.status} />{" "}
            {t("applyDone", {
              id: outcome.change_set_id,
              status: outcome.status.status,
            })}
          </p>
          {applied.created && (
            <p className="ok" data-testid="apply-created">
              {t("applyCreated", {
                product: applied.created.product_id,
                offer: applied.created.offer_id,
              })}
            </p>
          )}
          <ChangeStates changes={outcome.status.changes} />
          {outcome.errors.length > 0 && <ErrorList errors={outcome.errors} testId="apply-errors" />}
        </div>
      )}
    </Dialog>
  );
}
