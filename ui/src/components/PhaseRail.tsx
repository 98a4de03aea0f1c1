// The left rail: overview, the four phases with their steps and progress, and the two
// environments. Arrow keys move between entries; Enter or Space opens one.
import type { KeyboardEvent } from "react";
import { useI18n } from "../i18n";
import type { Checklist, EnvKind, WorkspaceDetail } from "../ipc";
import { Progress } from "./Progress";

export type View =
  | { kind: "overview" }
  | { kind: "step"; stepId: string }
  | { kind: "env"; env: EnvKind }
  | { kind: "listing"; env: EnvKind }
  | { kind: "sandbox" }
  | { kind: "purchase" };

function onRailKey(e: KeyboardEvent<HTMLElement>) {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Home" && e.key !== "End") return;
  const links = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>(".rail-link"));
  const at = links.indexOf(document.activeElement as HTMLButtonElement);
  let next = at;
  if (e.key === "ArrowDown") next = Math.min(links.length - 1, at + 1);
  if (e.key === "ArrowUp") next = Math.max(0, at - 1);
  if (e.key === "Home") next = 0;
  if (e.key === "End") next = links.length - 1;
  links[next]?.focus();
  e.preventDefault();
}

export function PhaseRail(props: {
  checklist: Checklist;
  detail: WorkspaceDetail;
  view: View;
  onView: (v: View) => void;
}) {
  const { t, tx } = useI18n();
  const { checklist, detail, view } = props;
  const stepProgress = new Map(detail.steps.map((s) => [s.step_id, s]));
  const phaseProgress = new Map(detail.phases.map((p) => [p.phase_id, p]));
  const active = (v: View) => JSON.stringify(v) === JSON.stringify(view);

  return (
    <nav className="rail" aria-label={t("overview")} onKeyDown={onRailKey} data-testid="phase-rail">
      <button
        type="button"
        className="rail-link top"
        aria-current={active({ kind: "overview" }) ? "page" : undefined}
        onClick={() => props.onView({ kind: "overview" })}
        data-testid="nav-overview"
      >
        {t("overview")}
      </button>
      {checklist.phases.map((phase) => {
        const pp = phaseProgress.get(phase.id);
        return (
          <section key={phase.id} className="rail-phase" data-testid={`phase-${phase.id}`}>
            <div className="rail-phase-head">
              <span>{tx(phase.title)}</span>
              <span className="muted small">{pp ? `${pp.done}/${pp.total}` : ""}</span>
            </div>
            <Progress done={pp?.done ?? 0} total={pp?.total ?? 0} label={tx(phase.title)} />
            <ol className="rail-steps">
              {phase.steps.map((stepId) => {
                const step = checklist.steps.find((s) => s.id === stepId);
                const sp = stepProgress.get(stepId);
                if (!step || !sp) return null;
                const state =
                  sp.done === sp.total
                    ? "done"
                    : sp.failed > 0
                      ? "failed"
                      : sp.blocked_by.length > 0
                        ? "blocked"
                        : sp.done > 0
                          ? "partial"
                          : "open";
                const v: View = { kind: "step", stepId };
                return (
                  <li key={stepId}>
                    <button
                      type="button"
                      className={`rail-link step ${state}`}
                      aria-current={active(v) ? "page" : undefined}
                      onClick={() => props.onView(v)}
                      data-testid={`nav-step-${step.number}`}
                      title={`${step.number}. ${tx(step.title)}`}
                    >
                      <span className={`step-dot ${state}`} aria-hidden="true">
                        {state === "done" ? "✓" : step.number}
                      </span>
                      <span className="step-name">{tx(step.title)}</span>
                      <span className="muted small">
                        {sp.done}/{sp.total}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
      <section className="rail-phase">
        <div className="rail-phase-head">
          <span>{t("environments")}</span>
        </div>
        {(["staging", "production"] as const).map((env) => (
          <button
            key={env}
            type="button"
            className="rail-link env"
            aria-current={active({ kind: "env", env }) ? "page" : undefined}
            onClick={() => props.onView({ kind: "env", env })}
            data-testid={`nav-env-${env}`}
          >
            <span className={`env-dot ${env}`} aria-hidden="true" />
            {t(env)}
          </button>
        ))}
        {(["staging", "production"] as const).map((env) => (
          <button
            key={`listing-${env}`}
            type="button"
            className="rail-link env"
            aria-current={active({ kind: "listing", env }) ? "page" : undefined}
            onClick={() => props.onView({ kind: "listing", env })}
            data-testid={`nav-listing-${env}`}
          >
            <span className={`env-dot listing ${env}`} aria-hidden="true" />
            {t("listingNav")} · {t(env)}
          </button>
        ))}
        <button
          type="button"
          className="rail-link env"
          aria-current={active({ kind: "sandbox" }) ? "page" : undefined}
          onClick={() => props.onView({ kind: "sandbox" })}
          data-testid="nav-sandbox"
        >
          <span className="env-dot sandbox" aria-hidden="true" />
          {t("sandbox")}
        </button>
        <button
          type="button"
          className="rail-link env"
          aria-current={active({ kind: "purchase" }) ? "page" : undefined}
          onClick={() => props.onView({ kind: "purchase" })}
          data-testid="nav-purchase"
        >
          <span className="env-dot purchase" aria-hidden="true" />
          {t("purchaseNav")}
        </button>
      </section>
      <p className="rail-hint muted small">{t("keyboardHint")}</p>
    </nav>
  );
}
