// Running checks from the wizard: which checks a step (or a whole environment) has, their latest
// results, a live run with progress, and the history of runs with what changed between them.
import { useCallback, useEffect, useState } from "react";
import { formatTime } from "../format";
import { type MessageKey, useI18n } from "../i18n";
import type { Checklist, CheckRunSummary, EnvKind, StoredCheckResult } from "../ipc";
import { api, onCheckProgress } from "../ipc";
import { Progress } from "./Progress";

export function useChecks(
  checklist: Checklist,
  implemented: string[],
  workspaceId: string,
  env: EnvKind,
  stepId: string | null,
  onError: (e: unknown) => void,
) {
  const checkIds = Array.from(
    new Set(
      checklist.steps
        .filter((s) => (stepId ? s.id === stepId : s.env === env || s.env === "none"))
        .flatMap((s) => s.items)
        .map((id) => checklist.items.find((i) => i.id === id)?.check)
        .filter((c): c is string => !!c && implemented.includes(c)),
    ),
  );
  const [results, setResults] = useState<Map<string, StoredCheckResult>>(new Map());
  const [running, setRunning] = useState<{ done: number; total: number } | null>(null);
  const [history, setHistory] = useState<CheckRunSummary[]>([]);

  const load = useCallback(async () => {
    try {
      const [latest, runs] = await Promise.all([
        api.latestCheckResults(workspaceId, env),
        api.checkHistory(workspaceId, env),
      ]);
      setResults(new Map(latest.map((r) => [r.result.id, r])));
      setHistory(runs);
    } catch (e) {
      onError(e);
    }
  }, [workspaceId, env, onError]);

  useEffect(() => {
    load();
  }, [load]);

  const run = async () => {
    setRunning({ done: 0, total: checkIds.length });
    const unlisten = await onCheckProgress((e) => {
      if (e.workspace_id !== workspaceId || !e.finished) return;
      const finished = e.finished;
      setRunning((r) => (r ? { done: r.done + 1, total: e.total } : r));
      setResults((m) => {
        const next = new Map(m);
        next.set(finished.id, { run_id: e.run_id, at: new Date().toISOString(), result: finished });
        return next;
      });
    }).catch(() => () => {});
    try {
      await api.runChecks(workspaceId, env, stepId);
    } catch (e) {
      onError(e);
    } finally {
      unlisten();
      setRunning(null);
      await load();
    }
  };

  return { checkIds, results, running, history, run };
}

export function ChecksBar(props: {
  checkIds: string[];
  running: { done: number; total: number } | null;
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
  const { t, lang } = useI18n();
  if (props.history.length === 0) return null;
  return (
    <section className="card" data-testid="check-history">
      <h2>{t("runHistory")}</h2>
      <ol className="plain">
        {props.history.map((h) => (
          <li key={h.run.id} className="run-row">
            <span className="small muted">{formatTime(h.run.started_at, lang)}</span>{" "}
            <span className={`pill ${h.run.state === "finished" ? "passed" : "waived"}`}>
              {t(`run_${h.run.state}` as MessageKey)}
            </span>{" "}
            {t("runCounts", { pass: h.passed, fail: h.failed, other: h.other })}
            {h.changes.length > 0 && (
              <ul className="small changes">
                {h.changes.map((c) => (
                  <li key={c.check_id}>
                    <code>{c.check_id}</code>{" "}
                    {c.from ? t(`check_${c.from}` as MessageKey) : t("newCheck")} →{" "}
                    <strong>{t(`check_${c.to}` as MessageKey)}</strong>
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
