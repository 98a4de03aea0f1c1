// One checklist item: what it asks, its status and the controls to change it, its evidence and
// its full history.
import { useState } from "react";
import { useI18n } from "../i18n";
import type { EnvKind, Item, ItemState, ItemStatus, StoredCheckResult } from "../ipc";
import { api } from "../ipc";
import { useEvidence, useItemHistory } from "../query/app";
import { checkKey } from "./Checks";
import { ExternalLink } from "./ExternalLink";
import { FixButton } from "./listing/Wizard";
import { type StatusAction, StatusDialog } from "./StatusDialog";

export function StatusPill(props: { status: ItemStatus }) {
  const { t } = useI18n();
  return (
    <span className={`pill ${props.status}`} data-testid="item-status">
      {t(`status_${props.status}`)}
    </span>
  );
}

export function ItemCard(props: {
  workspaceId: string;
  item: Item;
  state: ItemState | undefined;
  checkImplemented: boolean;
  checkResult?: StoredCheckResult;
  /** The environment the item's check ran on (its Fix repairs that environment's listing). */
  env?: EnvKind;
  onError: (e: unknown) => void;
}) {
  const { t, tx, fmt } = useI18n();
  const { item, state } = props;
  const status: ItemStatus = state?.status ?? "not_started";
  const [action, setAction] = useState<StatusAction | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const automated = item.kind === "automated";
  // Both lists refresh when a change of their kind lands (status → history, evidence → files).
  const history = useItemHistory(props.workspaceId, item.id, showHistory).data;
  const evidence = useEvidence(props.workspaceId, item.id, state?.evidence_count ?? 0).data ?? [];

  const quick = async (to: ItemStatus) => {
    try {
      await api.setItemStatus({
        workspace_id: props.workspaceId,
        item_id: item.id,
        status: to,
        note: "",
        waiver_reason: null,
      });
    } catch (e) {
      props.onError(e);
    }
  };

  return (
    <li className={`item card status-${status}`} data-testid={`item-${item.id}`}>
      <div className="item-head">
        <div>
          <h3>{tx(item.title)}</h3>
          <div className="badges">
            <span className={`badge kind ${item.kind}`} title={t(`kindHelp_${item.kind}`)}>
              {t(`kind_${item.kind}`)}
            </span>
            <span className="badge">{item.category}</span>
            <code className="item-id">{item.id}</code>
            <ExternalLink className="badge link" href={item.doc_url} onError={props.onError}>
              {t("awsDocs")} ↗
            </ExternalLink>
          </div>
        </div>
        <StatusPill status={status} />
      </div>
      <p className="item-help">{tx(item.help)}</p>
      {automated && !props.checkImplemented && (
        <p className="notice" data-testid="not-checkable">
          <strong>{t("notYetCheckable")}</strong> —{" "}
          {t("notYetCheckableHelp", { check: item.check ?? "" })}
        </p>
      )}
      {props.checkResult && <CheckResultView stored={props.checkResult} />}
      {props.env &&
        props.checkResult &&
        ["fail", "warn"].includes(props.checkResult.result.status) && (
          <div className="actions">
            <FixButton
              workspaceId={props.workspaceId}
              env={props.env}
              checkId={props.checkResult.result.id}
              onError={props.onError}
            />
          </div>
        )}
      {state?.waiver_reason && (
        <p className="waiver">
          <strong>{t("waiverLabel")}:</strong> {state.waiver_reason}
        </p>
      )}
      {state?.note && (
        <blockquote className="note" data-testid="item-note">
          {state.note}
        </blockquote>
      )}
      {state?.updated_at && (
        <p className="small muted">
          {t("by", { who: state.updated_by ?? "" })} · {fmt.dateTime(state.updated_at)}
        </p>
      )}
      {evidence.length > 0 && (
        <ul className="evidence">
          {evidence.map((ev) => (
            <li key={ev.id}>
              <button
                type="button"
                className="link"
                onClick={() => api.openEvidence(ev.id).catch(props.onError)}
              >
                📎 {ev.file_name}
              </button>{" "}
              <code className="small muted" title="SHA-256">
                {ev.sha256.slice(0, 12)}…
              </code>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        {!automated && status !== "passed" && (
          <button
            type="button"
            className="btn primary small"
            onClick={() => setAction("attest")}
            data-testid="attest"
          >
            ✓ {t("attest")}
          </button>
        )}
        {status === "not_started" && (
          <button type="button" className="btn small" onClick={() => quick("in_progress")}>
            {t("markInProgress")}
          </button>
        )}
        {!automated && status !== "failed" && (
          <button type="button" className="btn small" onClick={() => setAction("fail")}>
            {t("markFailed")}
          </button>
        )}
        {status !== "waived" && (
          <button
            type="button"
            className="btn small"
            onClick={() => setAction("waive")}
            data-testid="waive"
          >
            {t("waive")}
          </button>
        )}
        {status !== "not_applicable" && (
          <button
            type="button"
            className="btn small"
            onClick={() => setAction("na")}
            data-testid="mark-na"
          >
            {t("markNa")}
          </button>
        )}
        {status !== "not_started" && (
          <button type="button" className="btn ghost small" onClick={() => quick("not_started")}>
            {t("reset")}
          </button>
        )}
        <span className="spacer" />
        <button
          type="button"
          className="btn ghost small"
          aria-expanded={showHistory}
          onClick={() => setShowHistory((v) => !v)}
          data-testid="toggle-history"
        >
          {showHistory ? t("hideHistory") : t("history")}
        </button>
      </div>
      {showHistory && (
        <ol className="history" data-testid="history">
          {history?.length === 0 && <li className="muted">{t("noHistory")}</li>}
          {history?.map((h, i) => (
            // History rows have no identity of their own beyond their position.
            // biome-ignore lint/suspicious/noArrayIndexKey: append-only list, newest first
            <li key={i}>
              <span className="small muted">{fmt.dateTime(h.at)}</span> <strong>{h.actor}</strong>{" "}
              {t("fromTo", {
                from: t(`status_${h.from}`),
                to: t(`status_${h.to}`),
              })}{" "}
              <span className="small muted">({t(`source_${h.source}`)})</span>
              {h.waiver_reason && <div className="small">{h.waiver_reason}</div>}
              {h.note && <div className="small">{h.note}</div>}
            </li>
          ))}
        </ol>
      )}
      {action && (
        <StatusDialog
          action={action}
          workspaceId={props.workspaceId}
          item={item}
          onClose={() => setAction(null)}
          onError={props.onError}
        />
      )}
    </li>
  );
}

export function CheckResultView(props: { stored: StoredCheckResult }) {
  const { t, lang, fmt } = useI18n();
  const [open, setOpen] = useState(false);
  const r = props.stored.result;
  const pill = {
    pass: "passed",
    fail: "failed",
    warn: "waived",
    skipped: "not_started",
    error: "failed",
  }[r.status];
  return (
    <div className={`check-result ${r.status}`} data-testid="check-result">
      <p>
        <span className="small muted">{t("checkResult")}:</span>{" "}
        <span className={`pill ${pill}`} data-testid="check-status">
          {t(checkKey(r.status))}
        </span>{" "}
        <code className="small">{r.id}</code>{" "}
        <span data-testid="check-summary">{r.summary[lang]}</span>{" "}
        <span className="small muted">
          {fmt.number(r.duration_ms)} ms · {fmt.dateTime(props.stored.at)}
        </span>
      </p>
      {r.details[lang] && (
        <p className="small muted" style={{ whiteSpace: "pre-line" }} data-testid="check-details">
          {r.details[lang]}
        </p>
      )}
      {r.status !== "pass" && r.advice[lang] && (
        <p className="small">
          <strong>{t("advice")}:</strong> {r.advice[lang]}
        </p>
      )}
      {r.evidence.length > 0 && (
        <button type="button" className="btn ghost small" onClick={() => setOpen((o) => !o)}>
          {open ? t("hideEvidence") : t("showEvidence")} ({r.evidence.length})
        </button>
      )}
      {open &&
        r.evidence.map((e, i) => (
          // Evidence rows are positional within one result.
          // biome-ignore lint/suspicious/noArrayIndexKey: no identity beyond position
          <div key={i} className="evidence-item">
            <strong className="small">{e.label}</strong>
            <pre className="code-block">{`${e.request}\n→ ${e.response}`}</pre>
          </div>
        ))}
    </div>
  );
}
