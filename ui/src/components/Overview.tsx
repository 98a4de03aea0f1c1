import { lazy, Suspense, useState } from "react";
import { useI18n } from "../i18n";
import type { AppInfo, Checklist, Preferences, WorkspaceDetail } from "../ipc";
import { Progress } from "./Progress";

// Opened on demand: not part of the first screen's code.
const ReportDialog = lazy(() =>
  import("./ReportDialog").then((m) => ({ default: m.ReportDialog })),
);

export function Overview(props: {
  checklist: Checklist;
  detail: WorkspaceDetail;
  info: AppInfo;
  prefs: Preferences;
  onOpenStep: (stepId: string) => void;
  onPrefs: (p: Partial<Preferences>) => void;
  onDelete: () => void;
}) {
  const { t, tx, fmt } = useI18n();
  const { checklist, detail } = props;
  const [actor, setActor] = useState(props.prefs.actor);
  const [reportOpen, setReportOpen] = useState(false);
  const done = detail.phases.reduce((a, p) => a + p.done, 0);
  const total = detail.phases.reduce((a, p) => a + p.total, 0);
  const next = detail.steps.find((s) => s.done < s.total);
  const nextStep = next && checklist.steps.find((s) => s.id === next.step_id);

  return (
    <div className="page" data-testid="overview">
      <header className="page-head">
        <p className="kicker">
          {detail.workspace.name}
          {detail.workspace.is_demo && <span className="badge demo">{t("demoBadge")}</span>}
        </p>
        <h1>{detail.workspace.product_name || detail.workspace.name}</h1>
        <p className="lede">{t("tagline")}</p>
      </header>
      <section className="card">
        <div className="row between">
          <h2>{t("overallProgress")}</h2>
          <strong className="big-number" data-testid="overall-progress">
            {fmt.number(done)}/{fmt.number(total)}
          </strong>
        </div>
        <Progress big done={done} total={total} label={t("overallProgress")} />
        <div className="row between top-gap">
          {nextStep ? (
            <button
              type="button"
              className="btn primary"
              onClick={() => props.onOpenStep(nextStep.id)}
              data-testid="next-step"
            >
              {t("nextOpenStep")}: {t("stepN", { n: nextStep.number })} · {tx(nextStep.title)} →
            </button>
          ) : (
            <p>{t("allDone")}</p>
          )}
          <span className="muted small">
            {t("lastSaved", { at: fmt.dateTime(detail.workspace.updated_at) })}
          </span>
        </div>
      </section>
      <section className="card" data-testid="report-card">
        <div className="row between">
          <div>
            <h2>{t("reportCardTitle")}</h2>
            <p className="muted small">{t("reportCardBody")}</p>
          </div>
          <button
            type="button"
            className="btn"
            onClick={() => setReportOpen(true)}
            data-testid="report-open"
          >
            {t("reportOpen")}
          </button>
        </div>
      </section>
      {reportOpen && (
        <Suspense fallback={null}>
          <ReportDialog workspace={detail.workspace} onClose={() => setReportOpen(false)} />
        </Suspense>
      )}
      <div className="phase-grid">
        {checklist.phases.map((phase) => {
          const pp = detail.phases.find((p) => p.phase_id === phase.id);
          return (
            <section key={phase.id} className="card phase-card">
              <h3>{tx(phase.title)}</h3>
              <p className="muted">{tx(phase.summary)}</p>
              <Progress done={pp?.done ?? 0} total={pp?.total ?? 0} label={tx(phase.title)} />
              <p className="small muted">
                {t("phaseProgress", { done: pp?.done ?? 0, total: pp?.total ?? 0 })}
              </p>
              <ul className="plain">
                {phase.steps.map((id) => {
                  const s = checklist.steps.find((x) => x.id === id);
                  const sp = detail.steps.find((x) => x.step_id === id);
                  if (!s || !sp) return null;
                  return (
                    <li key={id}>
                      <button type="button" className="link" onClick={() => props.onOpenStep(id)}>
                        {s.number}. {tx(s.title)}
                      </button>{" "}
                      <span className="muted small">
                        {sp.done}/{sp.total}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </section>
          );
        })}
      </div>
      <section className="card">
        <h2>{t("settings")}</h2>
        <form
          className="row gap"
          onSubmit={(e) => {
            e.preventDefault();
            props.onPrefs({ actor });
          }}
        >
          <label className="field grow">
            <span>{t("yourName")}</span>
            <input
              value={actor}
              maxLength={120}
              onChange={(e) => setActor(e.target.value)}
              data-testid="actor-name"
            />
          </label>
          <button type="submit" className="btn">
            {t("save")}
          </button>
        </form>
        <p className="small muted">
          {t("dataDir")}: <code>{props.info.data_dir}</code> · v{props.info.version}
        </p>
        <button
          type="button"
          className="btn danger ghost"
          onClick={() => {
            if (window.confirm(t("confirmDelete", { name: detail.workspace.name })))
              props.onDelete();
          }}
        >
          {t("deleteWorkspace")}
        </button>
      </section>
    </div>
  );
}
