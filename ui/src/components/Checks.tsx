// Running checks from the wizard: the latest results of an environment's checks, a live run
// with progress, and the history of runs with what changed between them. Which checks a step or
// an environment has comes from the backend (`stepChecks`, `envChecks`).
import { type TextKey, useI18n } from "../i18n";
import {
  api,
  type CheckRunSummary,
  type CheckStatus,
  type EnvKind,
  type StoredCheckResult,
} from "../ipc";
import { type RunProgress, useCheckHistory, useCheckResults, useCheckRun } from "../query/checks";
import { Progress } from "./Progress";

export function useChecks(
  workspaceId: string,
  env: EnvKind,
  checkIds: string[],
  stepId: string | null,
  onError: (e: unknown) => void,
) {
  const results = useCheckResults(workspaceId, env).data ?? new Map<string, StoredCheckResult>();
  const history = useCheckHistory(workspaceId, env).data ?? [];
  const { running, run } = useCheckRun(workspaceId, env, onError);
  return { checkIds, results, running, history, run: () => run(stepId, checkIds.length) };
}

export function ChecksBar(props: {
  checkIds: string[];
  running: RunProgress | null;
  onRun: () => void;
  onError: (e: unknown) => void;
}) {
  const { t } = useI18n();
  if (props.checkIds.length === 0) return null;
  return (
    <section className="card checks-bar">
      {props.running ? (
        <div className="row between" data-testid="checks-running">
          <span>
            {t("runningChecks", { done: props.running.done, total: props.running.total })}
          </span>
          <button
            type="button"
            className="btn small"
            onClick={() => api.cancelChecks().catch(props.onError)}
          >
            {t("cancelChecks")}
          </button>
        </div>
      ) : (
        <div className="row between">
          <span className="muted small">{props.checkIds.join(" · ")}</span>
          <button
            type="button"
            className="btn primary"
            onClick={props.onRun}
            data-testid="run-checks"
          >
            ▶ {t("runChecks", { n: props.checkIds.length })}
          </button>
        </div>
      )}
      {props.running && (
        <Progress
          done={props.running.done}
          total={props.running.total}
          label={t("runChecks", { n: props.running.total })}
        />
      )}
    </section>
  );
}

export function CheckHistory(props: { history: CheckRunSummary[] }) {
  const { t, fmt } = useI18n();
  if (props.history.length === 0) return null;
  return (
    <section className="card" data-testid="check-history">
      <h2>{t("runHistory")}</h2>
      <ol className="plain">
        {props.history.map((h) => (
          <li key={h.run.id} className="run-row">
            <span className="small muted">{fmt.dateTime(h.run.started_at)}</span>{" "}
            <span className={`pill ${h.run.state === "finished" ? "passed" : "waived"}`}>
              {t(`run_${h.run.state}` as TextKey)}
            </span>{" "}
            {t("runCounts", { pass: h.passed, fail: h.failed, other: h.other })}
            {h.changes.length > 0 && (
              <ul className="small changes">
                {h.changes.map((c) => (
                  <li key={c.check_id}>
                    <code>{c.check_id}</code> {c.from ? t(checkKey(c.from)) : t("newCheck")} →{" "}
                    <strong>{t(checkKey(c.to))}</strong>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export const checkKey = (s: CheckStatus) => `check_${s}` as const;
