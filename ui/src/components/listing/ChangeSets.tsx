// The change sets the app sent for an environment: a timeline, newest first, each with what it
// was for, who sent it and when, its state, each change's status and AWS's errors; one still
// PREPARING can be cancelled.
import { useState } from "react";
import { type TextKey, useI18n } from "../../i18n";
import { api, type ChangeSetRecord, type ChangeState, type EnvKind } from "../../ipc";

const STATES = ["PREPARING", "APPLYING", "SUCCEEDED", "FAILED", "CANCELLED"];

export function CsPill(props: { status: string }) {
  const { t } = useI18n();
  const s = props.status;
  const cls =
    s === "SUCCEEDED"
      ? "passed"
      : s === "FAILED"
        ? "failed"
        : s === "CANCELLED"
          ? "waived"
          : "in_progress";
  return (
    <span className={`pill ${cls}`} data-testid="cs-status" data-status={s}>
      {STATES.includes(s) ? t(`cs_${s}` as TextKey) : s}
    </span>
  );
}

function kindKey(kind: string): TextKey {
  const k = kind.startsWith("fix:") ? "fix" : kind;
  return ["apply", "create", "release", "validate", "fix"].includes(k)
    ? (`csKind_${k}` as TextKey)
    : "csKind_apply";
}

export function ChangeStates(props: { changes: ChangeState[] }) {
  return (
    <ul className="plain change-states">
      {props.changes.map((c, i) => (
        // A change set's changes are ordered; position is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: ordered
        <li key={i} className={c.errors.length > 0 ? "change-row bad" : "change-row"}>
          {c.errors.length > 0 ? "✗" : "✓"} <strong>{c.change_type}</strong>{" "}
          <span className="small muted">{c.entity_id || c.entity_type}</span>
          {c.errors.map((e) => (
            <div key={e.code + e.message} className="small">
              <code>{e.code}</code> {e.message}
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** The changes of a record's outcome (DescribeChangeSet as last read). */
function outcomeChanges(r: ChangeSetRecord): ChangeState[] {
  const o = r.outcome as { changes?: ChangeState[] } | null;
  return Array.isArray(o?.changes) ? o.changes : [];
}

export function ChangeSetHistory(props: {
  workspaceId: string;
  env: EnvKind;
  records: ChangeSetRecord[];
  onError: (e: unknown) => void;
}) {
  const { t, fmt } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section className="card" data-testid="change-sets">
      <div className="row between">
        <h2>{t("historyTitle")}</h2>
        {props.records.some((r) => r.status === "PREPARING" || r.status === "APPLYING") && (
          // AWS takes minutes (a Public request weeks): what is still open is read on demand,
          // besides at each start.
          <button
            type="button"
            className="btn small"
            onClick={() => api.listingRefresh(props.workspaceId).catch(props.onError)}
            data-testid="cs-refresh"
          >
            ↻ {t("csRefresh")}
          </button>
        )}
      </div>
      {props.records.length === 0 ? (
        <p className="muted">{t("historyEmpty")}</p>
      ) : (
        <ol className="timeline plain">
          {props.records.map((r) => (
            <li key={r.id} className="cs-row" data-testid={`cs-${r.id}`} data-kind={r.kind}>
              <div className="row between">
                <span>
                  <CsPill status={r.status} /> <strong>{t(kindKey(r.kind))}</strong>
                  {r.kind.startsWith("fix:") && <code className="small"> {r.kind.slice(4)}</code>}{" "}
                  <code className="small muted">{r.id}</code>
                </span>
                <span className="small muted">
                  {fmt.dateTime(r.started_at)} · {t("csBy", { who: r.started_by })}
                  {r.ended_at && ` · ${t("csEnded", { at: fmt.dateTime(r.ended_at) })}`}
                </span>
              </div>
              <div className="row gap">
                <button
                  type="button"
                  className="btn ghost small"
                  aria-expanded={open === r.id}
                  onClick={() => setOpen(open === r.id ? null : r.id)}
                >
                  {t("csChanges")} ({outcomeChanges(r).length})
                </button>
                {r.status === "PREPARING" && (
                  <button
                    type="button"
                    className="btn small danger"
                    onClick={() =>
                      api.listingCancel(props.workspaceId, props.env, r.id).catch(props.onError)
                    }
                    data-testid="cs-cancel"
                  >
                    {t("csCancel")}
                  </button>
                )}
              </div>
              {(open === r.id || r.status === "FAILED") && (
                <ChangeStates changes={outcomeChanges(r)} />
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
