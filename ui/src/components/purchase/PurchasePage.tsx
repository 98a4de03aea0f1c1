// Test purchases: start a session for an allow-listed buyer, watch the live timeline (SQS or
// the sandbox's notifications, EventBridge, entitlement diffs, the SaaS's CloudTrail calls, the
// tester's own steps) with every raw payload one click away, play the buyer in sandbox mode, and
// walk the confirmation scenarios as runbooks whose results go to the checklist.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { EnvKind, WorkspaceDetail } from "../../ipc";
import { usePurchaseSessions, usePurchaseView, useScenarios } from "../../query/purchase";
import { useAct } from "./act";
import { ScenarioCard } from "./ScenarioCard";
import { SessionPanel } from "./SessionPanel";
import { StartSession } from "./StartSession";
import { Timeline } from "./Timeline";
import { Verdicts } from "./Verdicts";

export function PurchasePage(props: { detail: WorkspaceDetail; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  const { detail, onError } = props;
  const workspaceId = detail.workspace.id;
  const [env, setEnv] = useState<EnvKind>("staging");
  const [selected, setSelected] = useState<string | null>(null);
  const { busy, act } = useAct(onError);
  const environment = detail.environments.find((e) => e.kind === env);
  const sessions = usePurchaseSessions(workspaceId, env).data ?? [];
  const scenarios = useScenarios().data ?? [];
  const view = usePurchaseView(workspaceId, selected).data;
  const session = view?.detail.session;

  return (
    <div className="page" data-testid="purchase-page">
      <header className="page-head">
        <p className="kicker">{t("purchaseKicker")}</p>
        <h1>{t("purchaseTitle")}</h1>
        <p className="lede">{t("purchaseLede")}</p>
      </header>

      <StartSession
        workspaceId={workspaceId}
        env={env}
        environment={environment}
        onEnv={(next) => {
          setEnv(next);
          setSelected(null);
        }}
        sessions={sessions}
        selected={selected}
        onSelect={setSelected}
        busy={busy}
        act={act}
      />

      {view && session && (
        <>
          <SessionPanel view={view} env={environment} busy={busy} act={act} />
          <Verdicts verdicts={session.verdicts} />
          <Timeline events={view.detail.events} />
          <section className="card">
            <h2>{t("purchaseScenarios")}</h2>
            <p className="small muted">{t("purchaseScenariosLede")}</p>
            {scenarios.map((sc) => (
              <ScenarioCard
                key={sc.id}
                scenario={sc}
                session={session}
                results={view.detail.results}
                onError={onError}
              />
            ))}
          </section>
        </>
      )}
    </div>
  );
}
