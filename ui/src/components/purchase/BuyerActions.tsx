// Playing the buyer in a sandbox session: purchase (the sandbox posting the token, or the
// tester's browser), change the contract's quantities, ask the demo SaaS for a metering record,
// cancel, and move the sandbox clock past the final-metering hour.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { EnvironmentView, PurchaseSession } from "../../ipc";
import { api } from "../../ipc";
import { usesDemoSaas } from "../../ipc/meta";
import type { Act } from "./act";

const sandbox = { kind: "sandbox" } as const;

export function BuyerActions(props: {
  session: PurchaseSession;
  env: EnvironmentView | undefined;
  busy: boolean;
  act: Act;
}) {
  const { t } = useI18n();
  const { session, env, busy, act } = props;
  // Kept as typed: an emptied field stays empty instead of turning into 0.
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const quantity = (key: string) => Number.parseInt(quantities[key] ?? "5", 10);
  const dimensions = env?.settings.dimensions ?? [];
  const entitled = dimensions.filter((d) => d.kind === "Entitled");
  const metered = dimensions.filter((d) => d.kind === "ExternallyMetered");
  const demoSaas = env ? usesDemoSaas(env) : false;
  const licensed = !!session.license_arn;

  return (
    <div className="top-gap" data-testid="purchase-sandbox-actions">
      <h3>{t("purchaseSandboxActions")}</h3>
      <div className="row gap">
        <button
          type="button"
          className="btn primary"
          disabled={busy}
          onClick={() => act(() => api.purchaseSandbox(session.id, "purchase"), sandbox)}
          data-testid="purchase-buy"
        >
          {t("purchaseBuy")}
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => act(() => api.purchaseSandbox(session.id, "purchase_in_browser"), sandbox)}
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
                onChange={(e) => setQuantities({ ...quantities, [d.key]: e.target.value })}
                data-testid={`purchase-qty-${d.key}`}
              />
            </label>
          ))}
          <button
            type="button"
            className="btn"
            disabled={busy || !licensed || entitled.some((d) => !(quantity(d.key) >= 0))}
            onClick={() =>
              act(
                () =>
                  api.purchaseSandboxChange(
                    session.id,
                    entitled.map((d) => ({ dimension: d.key, quantity: quantity(d.key) })),
                  ),
                sandbox,
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
            disabled={busy || !licensed}
            onClick={() => act(() => api.purchaseDemoMeter(session.id, metered[0].key, 1), sandbox)}
            data-testid="purchase-demo-meter"
          >
            {t("purchaseDemoMeter")}
          </button>
        )}
        <button
          type="button"
          className="btn danger"
          disabled={busy || !licensed}
          onClick={() => act(() => api.purchaseSandbox(session.id, "cancel"), sandbox)}
          data-testid="purchase-cancel"
        >
          {t("purchaseCancel")}
        </button>
        <button
          type="button"
          className="btn ghost"
          disabled={busy}
          onClick={() => act(() => api.purchaseSandboxClock(session.id, 61), sandbox)}
          data-testid="purchase-clock"
        >
          {t("purchaseClockHour")}
        </button>
      </div>
    </div>
  );
}
