// One confirmation scenario as a runbook: the tester records each step (pass or fail, a note,
// pasted or attached screenshots); steps a verdict decides are the app's. "Record" carries the
// scenario's result to its checklist item.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { PurchaseSession, Scenario, StepOutcome, StepResult } from "../../ipc";
import { api, pickFiles } from "../../ipc";

function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ""));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

export function ScenarioCard(props: {
  scenario: Scenario;
  session: PurchaseSession;
  results: StepResult[];
  onError: (e: unknown) => void;
}) {
  const { t, tx } = useI18n();
  const { scenario, session, results, onError } = props;
  const [recorded, setRecorded] = useState<string | null>(null);
  const result = (i: number) => results.find((r) => r.scenario_id === scenario.id && r.step === i);
  // The results come back through the store's purchase change, not from here.
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      onError(e);
    }
  };
  const set = (i: number, outcome: StepOutcome, note: string) =>
    run(() => api.purchaseSetStep(session.id, scenario.id, i, outcome, note));
  const paste = (i: number) => async (e: React.ClipboardEvent) => {
    const file = Array.from(e.clipboardData.files).find((f) => f.type.startsWith("image/"));
    if (!file) return;
    e.preventDefault();
    const data = await readAsBase64(file);
    const ext = file.type.split("/")[1] ?? "png";
    run(() =>
      api.purchaseAttachPasted(session.id, scenario.id, i, `pasted-step-${i + 1}.${ext}`, data),
    );
  };
  return (
    <details className="scenario" data-testid={`scenario-${scenario.id}`} open>
      <summary>
        <strong>{tx(scenario.title)}</strong>
      </summary>
      <ol className="runbook">
        {scenario.steps.map((st, i) => {
          const r = result(i);
          const outcome = r?.outcome ?? "pending";
          const auto = st.verdict !== null;
          return (
            <li key={st.action.en} data-step={i} data-outcome={outcome}>
              <p>{tx(st.action)}</p>
              <p className="small muted">
                {t("purchaseExpect")} {tx(st.expect)}
              </p>
              <div className="row gap">
                <span
                  className={
                    outcome === "pass" ? "pill passed" : outcome === "fail" ? "pill failed" : "pill"
                  }
                >
                  {t(`stepOutcome_${outcome}`)}
                </span>
                {auto ? (
                  <span className="small muted">{t("purchaseAutoStep")}</span>
                ) : (
                  <>
                    <button
                      type="button"
                      className="btn small"
                      onClick={() => set(i, "pass", r?.note ?? "")}
                      data-testid={`step-pass-${scenario.id}-${i}`}
                    >
                      {t("stepPass")}
                    </button>
                    <button
                      type="button"
                      className="btn small danger"
                      onClick={() => set(i, "fail", r?.note ?? "")}
                      data-testid={`step-fail-${scenario.id}-${i}`}
                    >
                      {t("stepFail")}
                    </button>
                  </>
                )}
                <button
                  type="button"
                  className="btn small ghost"
                  onClick={() =>
                    run(async () => {
                      for (const p of await pickFiles()) {
                        await api.purchaseAttachFile(session.id, scenario.id, i, p);
                      }
                    })
                  }
                >
                  {t("purchaseAttach")}
                </button>
                <span className="small muted">
                  {t("purchaseFiles", { n: r?.evidence_ids.length ?? 0 })}
                </span>
              </div>
              <textarea
                className="top-gap"
                rows={2}
                defaultValue={r?.note ?? ""}
                placeholder={t("purchaseStepNote")}
                onPaste={paste(i)}
                onBlur={(e) => {
                  if (e.target.value !== (r?.note ?? "")) set(i, outcome, e.target.value);
                }}
              />
            </li>
          );
        })}
      </ol>
      <div className="row gap">
        <button
          type="button"
          className="btn primary small"
          onClick={() =>
            run(async () => {
              const h = await api.purchaseFinishScenario(session.id, scenario.id);
              setRecorded(h.to);
            })
          }
          data-testid={`scenario-finish-${scenario.id}`}
        >
          {t("purchaseRecord")}
        </button>
        {recorded && (
          <span
            className={recorded === "passed" ? "pill passed" : "pill failed"}
            data-testid={`scenario-recorded-${scenario.id}`}
          >
            {t("purchaseRecorded", {
              status: t(recorded === "passed" ? "stepOutcome_pass" : "stepOutcome_fail"),
            })}
          </span>
        )}
      </div>
    </details>
  );
}
