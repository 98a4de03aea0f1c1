import { useI18n } from "../i18n";
import type { Checklist, EnvKind, WorkspaceDetail } from "../ipc";
import { stepChecks } from "../ipc/meta";
import { ChecksBar, useChecks } from "./Checks";
import { ExternalLink } from "./ExternalLink";
import { ItemCard } from "./ItemCard";
import { ReleasePanel, StepListing } from "./listing/Wizard";
import { Progress } from "./Progress";

/** Steps that show the listing's lint: registering the product (4 on staging, 8 on
 * production, where it can also be created from nothing) and the final review (11). */
const LISTING_STEPS = [4, 8, 11];
/** The Public release request. */
const RELEASE_STEP = 12;

export function StepView(props: {
  checklist: Checklist;
  detail: WorkspaceDetail;
  stepId: string;
  implemented: string[];
  onError: (e: unknown) => void;
  onOpenStep: (stepId: string) => void;
  onOpenListing: (env: EnvKind) => void;
}) {
  const { t, tx } = useI18n();
  const { checklist, detail, onError } = props;
  const step = checklist.steps.find((s) => s.id === props.stepId);
  const progress = detail.steps.find((s) => s.step_id === props.stepId);
  const env: EnvKind = step?.env === "production" ? "production" : "staging";
  const checks = useChecks(
    detail.workspace.id,
    env,
    step ? stepChecks(step) : [],
    props.stepId,
    onError,
  );

  if (!step || !progress) return null;
  const states = new Map(detail.items.map((i) => [i.item_id, i]));
  const blockers = progress.blocked_by
    .map((id) => checklist.steps.find((s) => s.id === id))
    .filter((s) => s !== undefined);

  return (
    <div className="page" data-testid={`step-${step.number}`}>
      <header className="page-head">
        <p className="kicker">
          {t("stepN", { n: step.number })} ·{" "}
          {tx(checklist.phases.find((p) => p.id === step.phase)?.title ?? { en: "", ja: "" })}
        </p>
        <h1 data-testid="step-title">{tx(step.title)}</h1>
        <div className="badges">
          <span className={`badge venue ${step.venue}`}>
            {t("where")}: {t(`venue_${step.venue}`)}
          </span>
          <span className={`badge env ${step.env}`}>{t(`env_${step.env}`)}</span>
          <ExternalLink className="badge link" href={step.doc_url} onError={props.onError}>
            {t("awsDocs")} ↗
          </ExternalLink>
        </div>
      </header>
      {blockers.length > 0 && (
        <div className="banner warn" data-testid="blocked-banner">
          <span>
            {t("blockedBy", {
              steps: blockers
                .map((b) => `${t("stepN", { n: b.number })} (${tx(b.title)})`)
                .join(", "),
            })}
          </span>
          <button
            type="button"
            className="btn small"
            onClick={() => props.onOpenStep(blockers[0].id)}
          >
            {t("openStep")} {blockers[0].number} →
          </button>
        </div>
      )}
      <div className="two-col">
        <section className="card">
          <h2>{t("whatToDo")}</h2>
          <p>{tx(step.todo)}</p>
        </section>
        <section className="card">
          <h2>{t("why")}</h2>
          <p>{tx(step.why)}</p>
        </section>
      </div>
      {LISTING_STEPS.includes(step.number) && (
        <StepListing
          workspaceId={detail.workspace.id}
          env={step.number === 4 ? "staging" : "production"}
          onOpenListing={props.onOpenListing}
          onError={onError}
        />
      )}
      {step.number === RELEASE_STEP && (
        <ReleasePanel workspaceId={detail.workspace.id} onError={onError} />
      )}
      <ChecksBar
        checkIds={checks.checkIds}
        running={checks.running}
        onRun={checks.run}
        onError={onError}
      />
      <section>
        <div className="row between">
          <h2>{t("items")}</h2>
          <span className="muted small">
            {t("phaseProgress", { done: progress.done, total: progress.total })}
          </span>
        </div>
        <Progress done={progress.done} total={progress.total} label={t("items")} />
        <ul className="items">
          {step.items.map((id) => {
            const item = checklist.items.find((i) => i.id === id);
            if (!item) return null;
            return (
              <ItemCard
                key={id}
                workspaceId={detail.workspace.id}
                item={item}
                state={states.get(id)}
                checkImplemented={!!item.check && props.implemented.includes(item.check)}
                checkResult={item.check ? checks.results.get(item.check) : undefined}
                env={env}
                onError={props.onError}
              />
            );
          })}
        </ul>
      </section>
    </div>
  );
}
