// The built-in Marketplace sandbox: its Catalog products (read through the official SDK, as from
// AWS), a simulated buyer's purchase, a metering record, cancellation, the sandbox clock, and
// what happened: licenses, notifications and the Marketplace calls CloudTrail recorded.
import { useState } from "react";
import { useI18n } from "../i18n";
import type { MeterOutcome, SandboxPurchase } from "../ipc";
import { api } from "../ipc";
import { useSandbox } from "../query/sandbox";
import { useAct } from "./purchase/act";

const DEMO_SAAS_KEY = "AKIASANDBOXDEMOSAAS1";

export function SandboxPage(props: { onError: (e: unknown) => void }) {
  const { t, fmt } = useI18n();
  const { onError } = props;
  const { loading, status, products, activity } = useSandbox();
  const [productId, setProductId] = useState("");
  const [buyer, setBuyer] = useState("");
  const { busy, act: run } = useAct(onError);
  const [purchase, setPurchase] = useState<SandboxPurchase | null>(null);
  const [quantity, setQuantity] = useState(10);
  const [meter, setMeter] = useState<MeterOutcome | null>(null);

  const product = products.find((p) => p.entity_id === productId) ?? products[0];
  const buyers = product?.buyer_accounts ?? [];
  const chosenBuyer = buyers.includes(buyer) ? buyer : (buyers[0] ?? "");
  const metered = product?.dimensions.filter((d) => d.types.includes("ExternallyMetered")) ?? [];

  // Every action here changes the sandbox's state: its queries are refreshed after each.
  const act = (fn: () => Promise<void>) => run(fn, { kind: "sandbox" });

  if (loading || !status) return <div className="loading">{t("loading")}</div>;

  return (
    <div className="page" data-testid="sandbox-page">
      <header className="page-head">
        <p className="kicker">{t("environments")}</p>
        <h1>{t("sandbox")}</h1>
        <p className="lede">{t("sandboxLede")}</p>
      </header>
      <section className="card">
        {status.url ? (
          <>
            <p data-testid="sandbox-url">
              <span className="pill passed">●</span> {t("sandboxRunning", { url: status.url })}
            </p>
            <p className="small">{t("sandboxCredentials")}</p>
            <pre className="code-block">
              {`AWS_ACCESS_KEY_ID=${status.access_key_id}\nAWS_SECRET_ACCESS_KEY=listing-assistant-sandbox-demo-secret-0001\nAWS_REGION=us-east-1\nAWS_ENDPOINT_URL=${status.url}`}
            </pre>
            <p className="small muted">
              {t("sandboxClock", { clock: fmt.dateTime(activity?.clock ?? status.clock) })}
            </p>
          </>
        ) : (
          <p className="field-error">{t("sandboxDown", { error: status.error ?? "" })}</p>
        )}
      </section>

      <section className="card">
        <div className="row between">
          <h2>{t("catalogProducts")}</h2>
          <button type="button" className="btn small" onClick={() => act(async () => {})}>
            {t("refresh")}
          </button>
        </div>
        <table className="data" data-testid="sandbox-products">
          <thead>
            <tr>
              <th>{t("productCol")}</th>
              <th>{t("codeCol")}</th>
              <th>{t("visibilityCol")}</th>
              <th>{t("dimensionsCol")}</th>
              <th>{t("buyersCol")}</th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <tr key={p.entity_id}>
                <td>
                  <strong>{p.title}</strong>
                  <br />
                  <code className="small muted">{p.entity_id}</code>
                </td>
                <td>
                  <code className="small">{p.product_code}</code>
                </td>
                <td>{p.visibility}</td>
                <td className="small">
                  {p.dimensions.map((d) => `${d.key} (${d.types.join(", ")})`).join("; ")}
                </td>
                <td className="small">{p.buyer_accounts.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card">
        <h2>{t("simulateBuyer")}</h2>
        <div className="row gap top-gap">
          <label className="field grow">
            <span>{t("productCol")}</span>
            <select
              value={product?.entity_id ?? ""}
              onChange={(e) => setProductId(e.target.value)}
              data-testid="sandbox-product"
            >
              {products.map((p) => (
                <option key={p.entity_id} value={p.entity_id}>
                  {p.title}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t("buyerAccount")}</span>
            <select value={chosenBuyer} onChange={(e) => setBuyer(e.target.value)}>
              {buyers.map((b) => (
                <option key={b}>{b}</option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn primary"
            disabled={busy || !product || !chosenBuyer}
            data-testid="sandbox-purchase"
            onClick={() =>
              act(async () => {
                if (!product) return;
                setMeter(null);
                setPurchase(await api.sandboxPurchase(product.entity_id, chosenBuyer));
              })
            }
          >
            {busy ? t("purchasing") : t("purchase")}
          </button>
        </div>
        {purchase && (
          <div className="result" data-testid="sandbox-purchase-result">
            <p>
              <span className="pill passed">{t("purchased")}</span>{" "}
              <code className="small">{purchase.license_arn}</code>
            </p>
            <dl className="facts">
              <dt>{t("landingPage")}</dt>
              <dd data-testid="sandbox-landing">
                {purchase.landing_status !== null
                  ? t("landingPosted", {
                      status: String(purchase.landing_status),
                      ms: purchase.landing_ms ?? 0,
                    })
                  : t("landingFailed", { error: purchase.landing_error ?? "" })}
              </dd>
              <dt>{t("registrationToken")}</dt>
              <dd>
                <code>{purchase.token_preview}</code>
              </dd>
              <dt>{t("notificationsTitle")}</dt>
              <dd>{t("notificationsSent", { n: purchase.notifications })}</dd>
            </dl>
            <div className="row gap">
              <label className="field">
                <span>{t("quantity")}</span>
                <input
                  type="number"
                  min={0}
                  value={quantity}
                  onChange={(e) => setQuantity(Number(e.target.value))}
                />
              </label>
              <button
                type="button"
                className="btn"
                disabled={busy || metered.length === 0}
                data-testid="sandbox-meter"
                onClick={() =>
                  act(async () => {
                    setMeter(
                      await api.sandboxMeter(
                        purchase.customer_aws_account_id,
                        purchase.license_arn,
                        metered[0]?.key ?? "",
                        quantity,
                      ),
                    );
                  })
                }
              >
                {t("meterRecord")}
              </button>
              <button
                type="button"
                className="btn ghost"
                disabled={busy}
                onClick={() => act(() => api.sandboxCancel(purchase.license_arn).then(() => {}))}
              >
                {t("cancelSubscription")}
              </button>
              <button
                type="button"
                className="btn ghost"
                disabled={busy}
                onClick={() => act(() => api.sandboxAdvanceClock(1).then(() => {}))}
              >
                {t("advanceClock")}
              </button>
            </div>
            {meter && (
              <p data-testid="sandbox-meter-result">
                <span className={meter.status === "Success" ? "pill passed" : "pill failed"}>
                  {t("meterResult", { status: meter.status })}
                </span>{" "}
                <code className="small muted">{meter.metering_record_id}</code>
              </p>
            )}
          </div>
        )}
      </section>

      <section className="card">
        <h2>{t("activity")}</h2>
        {!activity || activity.licenses.length === 0 ? (
          <p className="muted">{t("nothingYet")}</p>
        ) : (
          <div className="activity">
            <h3>{t("licensesTitle")}</h3>
            <table className="data">
              <thead>
                <tr>
                  <th>{t("buyerAccount")}</th>
                  <th>{t("codeCol")}</th>
                  <th>{t("statusCol")}</th>
                  <th>{t("dimensionsCol")}</th>
                </tr>
              </thead>
              <tbody>
                {activity.licenses.map((l) => (
                  <tr key={l.license_arn}>
                    <td>{l.customer_aws_account_id}</td>
                    <td>
                      <code className="small">{l.product_code}</code>
                    </td>
                    <td>{t(`license_${l.status}`)}</td>
                    <td className="small">{l.entitlements}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>{t("notificationsTitle")}</h3>
            <ul className="plain small" data-testid="sandbox-notifications">
              {activity.notifications.map((n, i) => (
                // Append-only log, newest first.
                // biome-ignore lint/suspicious/noArrayIndexKey: no identity beyond position
                <li key={i}>
                  <span className="muted">{fmt.dateTime(n.time)}</span> <strong>{n.kind}</strong>{" "}
                  <code className="muted">{n.topic}</code>
                </li>
              ))}
            </ul>
            <h3>{t("callsTitle")}</h3>
            <table className="data" data-testid="sandbox-calls">
              <thead>
                <tr>
                  <th>{t("timeCol")}</th>
                  <th>{t("eventCol")}</th>
                  <th>{t("callerCol")}</th>
                  <th>{t("statusCol")}</th>
                </tr>
              </thead>
              <tbody>
                {activity.calls.map((c, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: CloudTrail rows, newest first
                  <tr key={i}>
                    <td className="small">{fmt.dateTime(c.event_time)}</td>
                    <td>{c.event_name}</td>
                    <td className="small">
                      {c.access_key_id === DEMO_SAAS_KEY ? t("caller_saas") : t("caller_app")}{" "}
                      <code className="muted">{c.access_key_id}</code>
                    </td>
                    <td>{c.error_code ?? "OK"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
