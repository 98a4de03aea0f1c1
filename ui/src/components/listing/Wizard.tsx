// Listing as code inside the wizard: the listing's lint at steps 4, 8 and 11 (with "create the
// product from nothing" when the environment has none), "Fix" on a failing catalog check, and
// step 12's Public request with its prechecks and where AWS's review stands.
import { useState } from "react";
import { type TextKey, useI18n } from "../../i18n";
import { api, type EnvKind, type Fix } from "../../ipc";
import { useFixable, useListingDoc, useRelease } from "../../query/listing";
import { Dialog } from "../Dialog";
import { ApplyDialog } from "./ApplyDialog";
import { ChangeStates, CsPill } from "./ChangeSets";
import { useLint } from "./ListingPage";
import { LintList } from "./PlanPanel";

export function StepListing(props: {
  workspaceId: string;
  env: EnvKind;
  onOpenListing: (env: EnvKind) => void;
  onError: (e: unknown) => void;
}) {
  const { t } = useI18n();
  const doc = useListingDoc(props.workspaceId, props.env);
  const findings = useLint(doc.data?.listing ?? null, props.onError);
  const envName = t(props.env);
  return (
    <section className="card" data-testid="step-listing" data-env={props.env}>
      <div className="row between">
        <h2>
          {t("lintTitle")} — {envName}
        </h2>
        <div className="row gap">
          {doc.data && !doc.data.has_product && (
            <button
              type="button"
              className="btn primary small"
              onClick={() => props.onOpenListing(props.env)}
              data-testid="create-from-nothing"
            >
              {t("createFromNothing")}
            </button>
          )}
          <button
            type="button"
            className="btn small"
            onClick={() => props.onOpenListing(props.env)}
            data-testid="open-listing"
          >
            {t("openListing")} →
          </button>
        </div>
      </div>
      {doc.data && !doc.data.has_product && (
        <p className="banner info">{t("noProductYet", { env: envName })}</p>
      )}
      <p className="small muted">{t("listingInWizardLede", { env: envName })}</p>
      {doc.error ? <p className="bad">{doc.error.message}</p> : <LintList findings={findings} />}
    </section>
  );
}

/** "Fix…" on a failing catalog check the Catalog API can repair. */
export function FixButton(props: {
  workspaceId: string;
  env: EnvKind;
  checkId: string;
  onError: (e: unknown) => void;
}) {
  const { t, tx } = useI18n();
  const fixable = useFixable();
  const [fix, setFix] = useState<Fix | null | "none">(null);
  const [busy, setBusy] = useState(false);
  if (!fixable?.includes(props.checkId)) return null;
  const prepare = async () => {
    setBusy(true);
    try {
      setFix((await api.listingFix(props.workspaceId, props.env, props.checkId)) ?? "none");
    } catch (e) {
      props.onError(e);
    } finally {
      setBusy(false);
    }
  };
  const title = t("fixTitle", { check: props.checkId });
  return (
    <>
      <button
        type="button"
        className="btn primary small"
        disabled={busy}
        onClick={prepare}
        data-testid="fix"
      >
        🔧 {busy ? t("working") : t("fixButton")}
      </button>
      {fix === "none" && (
        <Dialog
          title={title}
          onClose={() => setFix(null)}
          testId="fix-nothing"
          footer={
            <button type="button" className="btn" onClick={() => setFix(null)}>
              {t("close")}
            </button>
          }
        >
          <p>{t("fixNothing")}</p>
        </Dialog>
      )}
      {fix && fix !== "none" && (
        <ApplyDialog
          workspaceId={props.workspaceId}
          env={props.env}
          listing={fix.listing}
          kind={`fix:${props.checkId}`}
          title={title}
          intro={
            <p className="banner info" data-testid="fix-summary">
              {tx(fix.summary)}
            </p>
          }
          onClose={() => setFix(null)}
        />
      )}
    </>
  );
}

/** Step 12: the prechecks, "Request Public", and the request's state as AWS last reported it. */
export function ReleasePanel(props: { workspaceId: string; onError: (e: unknown) => void }) {
  const { t, tx, fmt } = useI18n();
  const release = useRelease(props.workspaceId);
  const doc = useListingDoc(props.workspaceId, "production");
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const r = release.data;
  const title = doc.data?.listing.product.title ?? "";

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.listingRequestPublic(props.workspaceId, typed);
      setAsking(false);
      setTyped("");
      await release.refetch();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" data-testid="release">
      <h2>{t("releaseTitle")}</h2>
      <p className="small muted">{t("releaseLede")}</p>
      {release.error && <p className="bad">{release.error.message}</p>}
      {r && (
        <>
          <h3>{t("prechecks")}</h3>
          <ul className="plain prechecks" data-testid="prechecks">
            {r.prechecks.map((p) => (
              <li
                key={p.id}
                className={p.ok ? "precheck-row ok" : "precheck-row bad"}
                data-precheck={p.id}
                data-ok={p.ok}
              >
                {p.ok ? "✓" : "✗"} <strong>{t(`precheck_${p.id}` as TextKey)}</strong> —{" "}
                {tx(p.message)}
              </li>
            ))}
          </ul>
          {r.request && (
            <div
              className="release-state"
              data-testid="release-tracking"
              data-status={r.request.record.status}
            >
              <p>
                <CsPill status={r.request.record.status} />{" "}
                <strong>{t("releaseTracked", { id: r.request.record.id })}</strong>{" "}
                <span className="small muted">{fmt.dateTime(r.request.record.started_at)}</span>
              </p>
              <p data-testid="release-message">{tx(r.request.tracking.message)}</p>
              {r.request.record.status === "FAILED" && (
                <ChangeStates
                  changes={(r.request.record.outcome as { changes?: [] } | null)?.changes ?? []}
                />
              )}
            </div>
          )}
          {!r.request?.tracking.under_review && r.request?.record.status !== "SUCCEEDED" && (
            <button
              type="button"
              className="btn primary"
              disabled={!r.ready}
              title={r.ready ? undefined : t("releaseNotReady")}
              onClick={() => setAsking(true)}
              data-testid="request-public"
            >
              {t("requestPublic")}
            </button>
          )}
        </>
      )}
      {asking && (
        <Dialog
          title={t("releaseTitle")}
          onClose={() => setAsking(false)}
          testId="release-dialog"
          footer={
            <>
              <button type="button" className="btn" onClick={() => setAsking(false)}>
                {t("cancel")}
              </button>
              <button
                type="button"
                className="btn primary"
                disabled={busy || typed.trim() !== title.trim()}
                onClick={send}
                data-testid="release-confirm"
              >
                {busy ? t("working") : t("requestPublicConfirm")}
              </button>
            </>
          }
        >
          <p>{t("releaseLede")}</p>
          {error && (
            <p className="banner error" role="alert">
              {error}
            </p>
          )}
          <label className="field">
            <span>{t("releaseTypeTitle", { title })}</span>
            <input
              data-testid="release-typed-title"
              value={typed}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
        </Dialog>
      )}
    </section>
  );
}
