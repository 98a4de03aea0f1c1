// Test purchases: start a session for an allow-listed buyer, watch the live timeline (SQS or
// the sandbox's notifications, EventBridge, entitlement diffs, the SaaS's CloudTrail calls, the
// tester's own steps) with every raw payload one click away, play the buyer in sandbox mode, and
// walk the confirmation scenarios as runbooks whose results go to the checklist.
import { useCallback, useEffect, useRef, useState } from "react";
import { formatTime } from "../format";
import { type MessageKey, useI18n } from "../i18n";
import type {
  EnvKind,
  PurchaseSession,
  PurchaseView,
  Scenario,
  StepOutcome,
  StepResult,
  TimelineEvent,
  Verdict,
  VerdictId,
  VerdictState,
  WatcherStatus,
  WorkspaceDetail,
} from "../ipc";
import { api, onPurchaseUpdates, onStoreChanged, pickFiles } from "../ipc";

const verdictPill: Record<VerdictState, string> = {
  not_yet: "pill",
  pending: "pill in_progress",
  pass: "pill passed",
  fail: "pill failed",
};
const watcherPill: Record<WatcherStatus["state"], string> = {
  starting: "pill in_progress",
  running: "pill passed",
  retrying: "pill failed",
  stopped: "pill",
};

function prettyRaw(raw: string): string {
  try {
    const v = JSON.parse(raw);
    // SNS envelopes carry the Marketplace message as a JSON string: show it unfolded too.
    if (v && typeof v.Message === "string") {
      try {
        v.Message = JSON.parse(v.Message);
      } catch {
        // not JSON inside: keep the string
      }
    }
    return JSON.stringify(v, null, 2);
  } catch {
    return raw;
  }
}

function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ""));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

export function PurchasePage(props: { detail: WorkspaceDetail; onError: (e: unknown) => void }) {
  const { t, tx, lang } = useI18n();
  const { detail, onError } = props;
  const workspaceId = detail.workspace.id;
  const [env, setEnv] = useState<EnvKind>("staging");
  const settings = detail.environments.find((e) => e.kind === env)?.settings;
  const buyers = settings?.test_buyer_account_ids ?? [];
  const [buyer, setBuyer] = useState("");
  const chosenBuyer = buyers.includes(buyer) ? buyer : (buyers[0] ?? "");
  const [deleteMessages, setDeleteMessages] = useState(false);
  const [sessions, setSessions] = useState<PurchaseSession[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [view, setView] = useState<PurchaseView | null>(null);
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [busy, setBusy] = useState(false);
  const [openRaw, setOpenRaw] = useState<Set<number>>(new Set());
  const [note, setNote] = useState("");
  // Kept as typed: an emptied field stays empty instead of turning into 0.
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const quantity = (key: string) => Number.parseInt(quantities[key] ?? "5", 10);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;

  const loadSessions = useCallback(async () => {
    try {
      setSessions(await api.purchaseSessions(workspaceId, env));
    } catch (e) {
      onError(e);
    }
  }, [workspaceId, env, onError]);

  const loadView = useCallback(
    async (id: string) => {
      try {
        const v = await api.purchaseView(id);
        if (selectedRef.current === id) setView(v);
      } catch (e) {
        onError(e);
      }
    },
    [onError],
  );

  useEffect(() => {
    api.purchaseScenarios().then(setScenarios, onError);
  }, [onError]);

  useEffect(() => {
    setSelected(null);
    setView(null);
    loadSessions();
  }, [loadSessions]);

  useEffect(() => {
    if (selected) loadView(selected);
  }, [selected, loadView]);

  // Live: timeline events, watcher states and verdicts of the open session; results and
  // session starts/stops through store-changed.
  useEffect(() => {
    const unsubs: Promise<() => void>[] = [
      onPurchaseUpdates({
        event: (sid, e) =>
          sid === selectedRef.current &&
          setView((v) =>
            v && !v.detail.events.some((x) => x.seq === e.seq)
              ? { ...v, detail: { ...v.detail, events: [...v.detail.events, e] } }
              : v,
          ),
        watcher: (sid, s) =>
          sid === selectedRef.current &&
          setView((v) =>
            v
              ? {
                  ...v,
                  watchers: [...v.watchers.filter((w) => w.watcher !== s.watcher), s].sort((a, b) =>
                    a.watcher.localeCompare(b.watcher),
                  ),
                }
              : v,
          ),
        verdicts: (sid, verdicts) => {
          if (sid !== selectedRef.current) return;
          setView((v) =>
            v ? { ...v, detail: { ...v.detail, session: { ...v.detail.session, verdicts } } } : v,
          );
          // Verdicts decide some steps: their results changed in the store.
          loadView(sid);
        },
      }),
      onStoreChanged((e) => {
        if (e.kind === "purchase" && e.workspace_id === workspaceId) {
          loadSessions();
          if (selectedRef.current) loadView(selectedRef.current);
        }
      }),
    ];
    return () => {
      for (const u of unsubs) u.then((f) => f());
    };
  }, [workspaceId, loadSessions, loadView]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    act(async () => {
      const s = await api.purchaseStart({
        workspace_id: workspaceId,
        env,
        buyer_account: chosenBuyer,
        delete_messages: deleteMessages,
        open_product_page: true,
      });
      await loadSessions();
      setSelected(s.id);
    });

  const session = view?.detail.session;
  const running = view?.running ?? false;
  const sandbox = settings?.mode === "sandbox";
  const entitled = settings?.dimensions.filter((d) => d.kind === "Entitled") ?? [];
  const metered = settings?.dimensions.filter((d) => d.kind === "ExternallyMetered") ?? [];
  const demoSaas = settings?.fulfillment_url.includes("/_demo-saas/") ?? false;
  const hasQueue = (settings?.sqs_queue_url ?? "") !== "";

  return (
    <div className="page" data-testid="purchase-page">
      <header className="page-head">
        <p className="kicker">{t("purchaseKicker")}</p>
        <h1>{t("purchaseTitle")}</h1>
        <p className="lede">{t("purchaseLede")}</p>
      </header>

      <section className="card">
        <div className="row gap">
          <label className="field">
            <span>{t("environment")}</span>
            <select
              value={env}
              onChange={(e) => setEnv(e.target.value as EnvKind)}
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
          {hasQueue
            ? t("purchaseQueue", { url: settings?.sqs_queue_url ?? "" })
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
                    onClick={() => setSelected(s.id)}
                  >
                    {formatTime(s.started_at, lang)} · {s.buyer_account} ·{" "}
                    {t(`purchaseState_${s.state}` as MessageKey)}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {view && session && (
        <>
          <section className="card" data-testid="purchase-session">
            <div className="row between">
              <h2>
                {t("purchaseSessionOf", { buyer: session.buyer_account })}{" "}
                <span className={running ? "pill passed" : "pill"} data-testid="purchase-running">
                  {t(
                    `purchaseState_${running ? "running" : session.state === "running" ? "interrupted" : session.state}` as MessageKey,
                  )}
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
                    <span className={watcherPill[w.state]}>
                      {t(`watcher_${w.watcher}` as MessageKey)}
                    </span>{" "}
                    {t(`watcherState_${w.state}` as MessageKey)}
                    {w.error && (
                      <span className="field-error">
                        {" "}
                        {w.error} (
                        {t("purchaseRetryIn", { s: Math.round((w.retry_in_ms ?? 0) / 1000) })})
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {running && session.mode === "sandbox" && (
              <div className="top-gap" data-testid="purchase-sandbox-actions">
                <h3>{t("purchaseSandboxActions")}</h3>
                <div className="row gap">
                  <button
                    type="button"
                    className="btn primary"
                    disabled={busy}
                    onClick={() => act(() => api.purchaseSandbox(session.id, "purchase"))}
                    data-testid="purchase-buy"
                  >
                    {t("purchaseBuy")}
                  </button>
                  <button
                    type="button"
                    className="btn"
                    disabled={busy}
                    onClick={() =>
                      act(() => api.purchaseSandbox(session.id, "purchase_in_browser"))
                    }
                  >
                    {t("purchaseBuyBrowser")}
                  </button>
                </div>
                {entitled.length > 0 && (
                  <div className="row gap top-gap">
                    {entitled.map((d) => (
                      <label className="field" key={d.key}>
                        <span>{d.name || d.key}</span>
                        <input
                          type="number"
                          min={0}
                          value={quantities[d.key] ?? "5"}
                          onChange={(e) =>
                            setQuantities({ ...quantities, [d.key]: e.target.value })
                          }
                          data-testid={`purchase-qty-${d.key}`}
                        />
                      </label>
                    ))}
                    <button
                      type="button"
                      className="btn"
                      disabled={
                        busy ||
                        !session.license_arn ||
                        entitled.some((d) => !(quantity(d.key) >= 0))
                      }
                      onClick={() =>
                        act(() =>
                          api.purchaseSandboxChange(
                            session.id,
                            entitled.map((d) => ({
                              dimension: d.key,
                              quantity: quantity(d.key),
                            })),
                          ),
                        )
                      }
                      data-testid="purchase-change"
                    >
                      {t("purchaseChange")}
                    </button>
                  </div>
                )}
                <div className="row gap top-gap">
                  {demoSaas && metered[0] && (
                    <button
                      type="button"
                      className="btn"
                      disabled={busy || !session.license_arn}
                      onClick={() =>
                        act(() => api.purchaseDemoMeter(session.id, metered[0].key, 1))
                      }
                      data-testid="purchase-demo-meter"
                    >
                      {t("purchaseDemoMeter")}
                    </button>
                  )}
                  <button
                    type="button"
                    className="btn danger"
                    disabled={busy || !session.license_arn}
                    onClick={() => act(() => api.purchaseSandbox(session.id, "cancel"))}
                    data-testid="purchase-cancel"
                  >
                    {t("purchaseCancel")}
                  </button>
                  <button
                    type="button"
                    className="btn ghost"
                    disabled={busy}
                    onClick={() => act(() => api.purchaseSandboxClock(session.id, 61))}
                    data-testid="purchase-clock"
                  >
                    {t("purchaseClockHour")}
                  </button>
                </div>
              </div>
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

          <section className="card">
            <h2>{t("purchaseVerdicts")}</h2>
            <ul className="plain" data-testid="purchase-verdicts">
              {session.verdicts.map((v: Verdict) => (
                <li key={v.id} data-verdict={v.id} data-state={v.state}>
                  <span className={verdictPill[v.state]}>
                    {t(`verdictState_${v.state}` as MessageKey)}
                  </span>{" "}
                  <strong>{t(`verdict_${v.id}` as MessageKey)}</strong>{" "}
                  <span className="small muted">{tx(v.detail)}</span>
                </li>
              ))}
            </ul>
          </section>

          <section className="card">
            <h2>{t("purchaseTimeline")}</h2>
            {view.detail.events.length === 0 ? (
              <p className="muted">{t("purchaseTimelineEmpty")}</p>
            ) : (
              <table className="data" data-testid="purchase-timeline">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>{t("purchaseTime")}</th>
                    <th>{t("purchaseSource")}</th>
                    <th>{t("purchaseWhat")}</th>
                  </tr>
                </thead>
                <tbody>
                  {view.detail.events.map((e: TimelineEvent) => (
                    <tr
                      key={e.seq}
                      data-kind={e.kind}
                      className={e.malformed ? "malformed" : undefined}
                    >
                      <td className="small muted">{e.seq}</td>
                      <td className="small">
                        {formatSeconds(e.occurred_at ?? e.observed_at, lang)}
                      </td>
                      <td className="small">{t(`source_${e.source}` as MessageKey)}</td>
                      <td>
                        {e.malformed && (
                          <span className="pill failed">{t("purchaseMalformed")}</span>
                        )}{" "}
                        {e.summary}{" "}
                        <button
                          type="button"
                          className="btn small ghost"
                          aria-expanded={openRaw.has(e.seq)}
                          data-testid={`raw-${e.seq}`}
                          onClick={() => {
                            const next = new Set(openRaw);
                            if (next.has(e.seq)) next.delete(e.seq);
                            else next.add(e.seq);
                            setOpenRaw(next);
                          }}
                        >
                          {t("purchaseRaw")}
                        </button>
                        {openRaw.has(e.seq) && (
                          <pre className="code-block" data-testid={`raw-body-${e.seq}`}>
                            {prettyRaw(e.raw)}
                          </pre>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section className="card">
            <h2>{t("purchaseScenarios")}</h2>
            <p className="small muted">{t("purchaseScenariosLede")}</p>
            {scenarios.map((sc) => (
              <ScenarioCard
                key={sc.id}
                scenario={sc}
                session={session}
                results={view.detail.results}
                onChanged={() => loadView(session.id)}
                onError={onError}
              />
            ))}
          </section>
        </>
      )}
    </div>
  );
}

function formatSeconds(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === "ja" ? "ja-JP" : "en-GB", {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

function ScenarioCard(props: {
  scenario: Scenario;
  session: PurchaseSession;
  results: StepResult[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const { t, tx } = useI18n();
  const { scenario, session, results, onChanged, onError } = props;
  const [recorded, setRecorded] = useState<string | null>(null);
  const result = (i: number) => results.find((r) => r.scenario_id === scenario.id && r.step === i);
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      onChanged();
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
          const auto: VerdictId | null = st.verdict;
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
                  {t(`stepOutcome_${outcome}` as MessageKey)}
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
