// The settings of one environment, validated by the backend as you type (one source of truth for
// the rules) and saved only when valid. Access keys go to the OS keyring through their own call.
import { type ReactNode, useEffect, useState } from "react";
import { type TextKey, useI18n } from "../i18n";
import type {
  Checklist,
  CredentialSource,
  DimensionType,
  EnvironmentSettings,
  EnvironmentView,
  EnvMode,
  FieldError,
  IntegrationStyle,
  KeychainProblemKind,
  PricingModel,
} from "../ipc";
import { api, pickOpenToml, pickSaveToml } from "../ipc";
import { envChecks } from "../ipc/meta";
import { useAwsProfiles } from "../query/app";
import { CheckHistory, ChecksBar, useChecks } from "./Checks";

// The headline in the user's language; the detail (the store's own words) follows it.
const KEYCHAIN_PROBLEM: Record<KeychainProblemKind, TextKey> = {
  locked: "keychainLocked",
  unavailable: "keychainUnavailable",
  refused: "keychainRefused",
};

type TextField = {
  [K in keyof EnvironmentSettings]: EnvironmentSettings[K] extends string ? K : never;
}[keyof EnvironmentSettings];

export function EnvironmentForm(props: {
  workspaceId: string;
  env: EnvironmentView;
  checklist: Checklist;
  implemented: string[];
  onError: (e: unknown) => void;
}) {
  const { t, lang, fmt } = useI18n();
  const checks = useChecks(
    props.workspaceId,
    props.env.kind,
    envChecks(props.checklist, props.env.kind),
    null,
    props.onError,
  );
  const [draft, setDraft] = useState<EnvironmentSettings>(props.env.settings);
  const [buyersText, setBuyersText] = useState(
    props.env.settings.test_buyer_account_ids.join("\n"),
  );
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [keyId, setKeyId] = useState("");
  const [secret, setSecret] = useState("");
  const [sessionToken, setSessionToken] = useState("");
  const [keyError, setKeyError] = useState<string | null>(null);
  const profiles = useAwsProfiles().data ?? [];
  const [identity, setIdentity] = useState<{ ok: boolean; text: string } | null>(null);
  const [checkingIdentity, setCheckingIdentity] = useState(false);

  const whoAmI = async () => {
    setCheckingIdentity(true);
    try {
      const me = await api.awsIdentity(props.workspaceId, props.env.kind);
      const seller = props.env.settings.seller_account_id;
      setIdentity({
        ok: !seller || seller === me.account,
        text:
          seller && seller !== me.account
            ? t("identityMismatch", { arn: me.arn, account: me.account, seller })
            : t("identityIs", { arn: me.arn, account: me.account }),
      });
    } catch (e) {
      setIdentity({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setCheckingIdentity(false);
    }
  };
  const dirty = JSON.stringify(draft) !== JSON.stringify(props.env.settings);

  // Ask the backend for field errors shortly after each change.
  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      api
        .validateEnvironment(draft)
        .then((errs) => {
          if (!stale) setErrors(errs);
        })
        .catch(props.onError);
    }, 120);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [draft, props.onError]);

  const set = <K extends keyof EnvironmentSettings>(k: K, v: EnvironmentSettings[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    setSavedAt(null);
  };
  const errorFor = (field: string) =>
    errors.filter((e) => e.field === field || e.field.startsWith(`${field}.`));

  const fieldError = (field: string) => {
    const errs = errorFor(field);
    return errs.length > 0 ? (
      <span className="field-error" role="alert" data-testid={`error-${field}`}>
        {errs.map((e) => e.message[lang]).join(" ")}
      </span>
    ) : null;
  };

  const text = (
    field: TextField,
    label: TextKey,
    hint?: TextKey,
    placeholder?: string,
    list?: string,
  ) => (
    <label className="field">
      <span>{t(label)}</span>
      <input
        name={field}
        list={list}
        data-testid={`field-${field}`}
        value={draft[field]}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={errorFor(field).length > 0}
        onChange={(e) => set(field, e.target.value.trim() === "" ? "" : e.target.value)}
      />
      {hint && <small className="hint">{t(hint)}</small>}
      {fieldError(field)}
    </label>
  );

  function select<T extends string>(
    field: keyof EnvironmentSettings,
    label: TextKey,
    options: [T, TextKey][],
  ): ReactNode {
    return (
      <label className="field">
        <span>{t(label)}</span>
        <select
          data-testid={`field-${field}`}
          value={draft[field] as string}
          onChange={(e) => set(field, e.target.value as never)}
        >
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {t(l)}
            </option>
          ))}
        </select>
      </label>
    );
  }

  const save = async () => {
    setSaveError(null);
    if (errors.length > 0) {
      setSaveError(t("fixErrors"));
      return;
    }
    setSaving(true);
    try {
      const view = await api.saveEnvironment(props.workspaceId, props.env.kind, draft);
      setSavedAt(view.updated_at);
    } catch (e) {
      setSaveError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const storeKeys = async () => {
    setKeyError(null);
    // Said here in the user's language before the round trip; the core refuses it too.
    if (keyId.trim().startsWith("ASIA") && !sessionToken.trim()) {
      setKeyError(t("sessionTokenNeeded"));
      return;
    }
    try {
      await api.setAccessKeys(
        props.workspaceId,
        props.env.kind,
        keyId,
        secret,
        sessionToken.trim() ? sessionToken : null,
      );
      setKeyId("");
      setSecret("");
      setSessionToken("");
    } catch (e) {
      setKeyError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="page" data-testid={`env-${props.env.kind}`}>
      <header className="page-head">
        <p className="kicker">{t("envSettings")}</p>
        <h1>
          <span className={`env-dot ${props.env.kind}`} aria-hidden="true" /> {t(props.env.kind)}
        </h1>
        <p className="lede">{t("envSettingsHelp")}</p>
        <div className="row gap">
          <button
            type="button"
            className="btn small"
            onClick={async () => {
              try {
                const path = await pickOpenToml();
                if (!path) return;
                const view = await api.importEnvironmentFile(
                  props.workspaceId,
                  props.env.kind,
                  path,
                );
                setDraft(view.settings);
                setBuyersText(view.settings.test_buyer_account_ids.join("\n"));
                setSavedAt(view.updated_at);
              } catch (e) {
                props.onError(e);
              }
            }}
          >
            {t("importFile")}
          </button>
          <button
            type="button"
            className="btn small"
            onClick={async () => {
              try {
                const path = await pickSaveToml(`${props.env.kind}.toml`);
                if (path) await api.exportEnvironmentFile(props.workspaceId, props.env.kind, path);
              } catch (e) {
                props.onError(e);
              }
            }}
          >
            {t("exportFile")}
          </button>
        </div>
      </header>
      <ChecksBar
        checkIds={checks.checkIds}
        running={checks.running}
        onRun={checks.run}
        onError={props.onError}
      />
      <CheckHistory history={checks.history} />
      <form
        className="form env-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <fieldset className="card">
          <legend>{t("sectionAccess")}</legend>
          <div className="grid2">
            {select<EnvMode>("mode", "mode", [
              ["sandbox", "mode_sandbox"],
              ["real", "mode_real"],
            ])}
            {select<CredentialSource>("credential_source", "credentialSource", [
              ["default_chain", "cred_default_chain"],
              ["profile", "cred_profile"],
              ["assume_role", "cred_assume_role"],
              ["access_keys", "cred_access_keys"],
            ])}
            {text("seller_account_id", "sellerAccountId", undefined, "123456789012")}
            {text("region", "region", "regionHint", "us-east-1")}
            {(draft.credential_source === "profile" || draft.profile !== "") &&
              text("profile", "profile", undefined, "my-sso-profile", "aws-profiles")}
            {(draft.credential_source === "assume_role" || draft.role_arn !== "") &&
              text(
                "role_arn",
                "roleArn",
                undefined,
                "arn:aws:iam::123456789012:role/ListingAssistant",
              )}
            {text(
              "endpoint_url",
              "endpointUrl",
              "endpointHint",
              draft.mode === "sandbox"
                ? "http://127.0.0.1:8484"
                : "https://vpce-0abc.catalog.us-east-1.vpce.amazonaws.com",
            )}
          </div>
          <datalist id="aws-profiles">
            {profiles.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
          <div className="row gap top-gap">
            <button
              type="button"
              className="btn small"
              onClick={whoAmI}
              disabled={checkingIdentity}
              data-testid="who-am-i"
            >
              {t("whoAmI")}
            </button>
            {dirty && <span className="small muted">{t("whoAmISaved")}</span>}
          </div>
          {identity && (
            <p
              className={identity.ok ? "small identity ok" : "small identity bad"}
              data-testid="identity"
            >
              {identity.ok ? "✓ " : "⚠ "}
              {identity.text}
            </p>
          )}
          {draft.credential_source === "access_keys" && (
            <div className="keys" data-testid="access-keys">
              {props.env.keychain_problem ? (
                <p className="small field-error" data-testid="keys-state" role="alert">
                  ⚠ {t(KEYCHAIN_PROBLEM[props.env.keychain_problem.kind])}{" "}
                  <span className="muted">{props.env.keychain_problem.detail}</span>
                </p>
              ) : (
                <p className="small" data-testid="keys-state">
                  {props.env.has_access_keys ? `🔒 ${t("keysStored")}` : t("keysNone")}{" "}
                  <span className="muted">{t("keysNeverInDb")}</span>
                </p>
              )}
              <div className="grid2">
                <label className="field">
                  <span>{t("accessKeyId")}</span>
                  <input
                    data-testid="access-key-id"
                    value={keyId}
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(e) => setKeyId(e.target.value)}
                  />
                </label>
                <label className="field">
                  <span>{t("secretAccessKey")}</span>
                  <input
                    type="password"
                    data-testid="secret-access-key"
                    value={secret}
                    autoComplete="off"
                    onChange={(e) => setSecret(e.target.value)}
                  />
                </label>
                <label className="field">
                  <span>{t("sessionToken")}</span>
                  <input
                    type="password"
                    data-testid="session-token"
                    value={sessionToken}
                    autoComplete="off"
                    onChange={(e) => setSessionToken(e.target.value)}
                  />
                  <small className="hint">{t("sessionTokenHint")}</small>
                </label>
              </div>
              {keyError && <p className="field-error">{keyError}</p>}
              <div className="row gap">
                <button
                  type="button"
                  className="btn small"
                  disabled={!keyId || !secret}
                  onClick={storeKeys}
                  data-testid="store-keys"
                >
                  🔒 {t("storeKeys")}
                </button>
                {props.env.has_access_keys && (
                  <button
                    type="button"
                    className="btn ghost small"
                    onClick={() =>
                      api.clearAccessKeys(props.workspaceId, props.env.kind).catch(props.onError)
                    }
                  >
                    {t("clearKeys")}
                  </button>
                )}
              </div>
            </div>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t("sectionProduct")}</legend>
          <div className="grid2">
            {text("product_id", "productId", undefined, "prod-abcd1234efgh5")}
            {text("product_code", "productCode")}
            {text("offer_id", "offerId", undefined, "offer-abcd1234efgh5")}
            {select<PricingModel>("pricing_model", "pricingModel", [
              ["subscription", "pricing_subscription"],
              ["contract", "pricing_contract"],
              ["contract_with_consumption", "pricing_contract_with_consumption"],
            ])}
            {text(
              "fulfillment_url",
              "fulfillmentUrl",
              undefined,
              "https://app.example.com/marketplace",
            )}
            {text("eula_url", "eulaUrl", undefined, "https://example.com/eula.txt")}
            {text(
              "saas_role_arn",
              "saasRoleArn",
              "saasRoleArnHint",
              "arn:aws:iam::123456789012:role/MySaaS",
            )}
            {select<IntegrationStyle>("integration_style", "integrationStyle", [
              ["concurrent_agreements", "style_concurrent_agreements"],
              ["legacy", "style_legacy"],
            ])}
          </div>
          <div className="field">
            <span>{t("dimensions")}</span>
            <table className="dims">
              <thead>
                <tr>
                  <th>{t("dimensionKey")}</th>
                  <th>{t("dimensionName")}</th>
                  <th>{t("dimensionType")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {draft.dimensions.map((d, i) => (
                  // Rows are edited in place; their position is their identity while editing.
                  // biome-ignore lint/suspicious/noArrayIndexKey: see above
                  <tr key={i}>
                    <td>
                      <input
                        aria-label={t("dimensionKey")}
                        value={d.key}
                        aria-invalid={errorFor(`dimensions.${i}`).length > 0}
                        onChange={(e) =>
                          set(
                            "dimensions",
                            draft.dimensions.map((x, j) =>
                              j === i ? { ...x, key: e.target.value } : x,
                            ),
                          )
                        }
                      />
                    </td>
                    <td>
                      <input
                        aria-label={t("dimensionName")}
                        value={d.name}
                        onChange={(e) =>
                          set(
                            "dimensions",
                            draft.dimensions.map((x, j) =>
                              j === i ? { ...x, name: e.target.value } : x,
                            ),
                          )
                        }
                      />
                    </td>
                    <td>
                      <select
                        aria-label={t("dimensionType")}
                        value={d.kind}
                        onChange={(e) =>
                          set(
                            "dimensions",
                            draft.dimensions.map((x, j) =>
                              j === i ? { ...x, kind: e.target.value as DimensionType } : x,
                            ),
                          )
                        }
                      >
                        <option value="Entitled">Entitled</option>
                        <option value="ExternallyMetered">ExternallyMetered</option>
                      </select>
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn ghost small"
                        onClick={() =>
                          set(
                            "dimensions",
                            draft.dimensions.filter((_, j) => j !== i),
                          )
                        }
                      >
                        {t("remove")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {fieldError("dimensions")}
            <button
              type="button"
              className="btn small"
              onClick={() =>
                set("dimensions", [
                  ...draft.dimensions,
                  { key: "", name: "", kind: "ExternallyMetered" },
                ])
              }
            >
              + {t("addDimension")}
            </button>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t("sectionNotifications")}</legend>
          <div className="grid2">
            {text(
              "sqs_queue_url",
              "sqsQueueUrl",
              undefined,
              "https://sqs.us-east-1.amazonaws.com/123456789012/marketplace",
            )}
            {text("subscription_topic_arn", "subscriptionTopicArn")}
            {text("entitlement_topic_arn", "entitlementTopicArn")}
            <label className="field checkbox">
              <input
                type="checkbox"
                checked={draft.use_eventbridge}
                onChange={(e) => set("use_eventbridge", e.target.checked)}
              />
              <span>{t("useEventbridge")}</span>
            </label>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t("sectionBuyers")}</legend>
          <label className="field">
            <span>{t("testBuyers")}</span>
            <textarea
              rows={3}
              data-testid="field-test_buyer_account_ids"
              value={buyersText}
              spellCheck={false}
              aria-invalid={errorFor("test_buyer_account_ids").length > 0}
              onChange={(e) => {
                setBuyersText(e.target.value);
                set(
                  "test_buyer_account_ids",
                  e.target.value
                    .split(/[\s,]+/)
                    .map((s) => s.trim())
                    .filter(Boolean),
                );
              }}
            />
            <small className="hint">{t("testBuyersHint")}</small>
            {fieldError("test_buyer_account_ids")}
          </label>
        </fieldset>

        <div className="form-foot">
          {saveError && (
            <span className="field-error" role="alert" data-testid="save-error">
              {saveError}
            </span>
          )}
          <span className="muted small" data-testid="save-state">
            {saving
              ? t("saving")
              : savedAt
                ? `✓ ${t("saved")} · ${fmt.dateTime(savedAt)}`
                : dirty
                  ? t("unsavedChanges")
                  : t("lastSaved", { at: fmt.dateTime(props.env.updated_at) })}
          </span>
          <button
            type="submit"
            className="btn primary"
            disabled={saving || errors.length > 0}
            data-testid="save-env"
          >
            {t("save")}
          </button>
        </div>
      </form>
    </div>
  );
}
