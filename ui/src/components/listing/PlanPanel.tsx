// What "Compare with AWS" and "Validate with AWS" show: the field-by-field diff, the exact
// change set, the warnings a Public product's changes carry, and AWS's validation with each
// error mapped to the listing's fields. Also the lint findings list.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { Finding, MappedError, PlanView } from "../../ipc";

/** A diff value as a person reads it: text as is, lists joined, records as `key: value`. */
function show(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(show).join(", ");
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => show(x) !== "")
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(" · ");
  }
  return String(v);
}

export function ErrorList(props: { errors: MappedError[]; testId: string }) {
  const { t, tx } = useI18n();
  return (
    <ul className="plain findings" data-testid={props.testId}>
      {props.errors.map((e, i) => (
        // Errors have no identity beyond their position in AWS's list.
        // biome-ignore lint/suspicious/noArrayIndexKey: positional
        <li key={i} className="finding error">
          <code>{e.code}</code> <span className="small muted">{e.change_type}</span>
          <div>{e.message}</div>
          {e.fields.length > 0 && (
            <div className="small">
              {t("fieldsLabel")}: <code>{e.fields.join(", ")}</code>
            </div>
          )}
          {tx(e.advice) && (
            <div className="small">
              <strong>{t("adviceLabel")}:</strong> {tx(e.advice)}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

export function PlanPanel(props: { view: PlanView }) {
  const { t, tx } = useI18n();
  const { plan, shape_errors, validation } = props.view;
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section className="card plan" data-testid="plan">
      <h2>{t("planTitle")}</h2>
      {plan.changes.length === 0 ? (
        <p data-testid="plan-nothing">{t("planNothing")}</p>
      ) : (
        <>
          <h3>{t("planDiff")}</h3>
          <table className="data" data-testid="plan-diff">
            <thead>
              <tr>
                <th>{t("diffField")}</th>
                <th>{t("diffAws")}</th>
                <th>{t("diffFile")}</th>
              </tr>
            </thead>
            <tbody>
              {plan.diff
                // A field empty on both sides (a new product's unset fields) changes nothing.
                .filter((d) => show(d.old) !== "" || show(d.new) !== "")
                .map((d) => (
                  <tr key={d.field}>
                    <td>
                      {tx(d.label)} <code className="small muted">{d.field}</code>
                    </td>
                    <td className="old">
                      {show(d.old) || <em className="muted">{t("diffNone")}</em>}
                    </td>
                    <td className="new">
                      {show(d.new) || <em className="muted">{t("diffNone")}</em>}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          <h3>{t("planChanges", { n: plan.changes.length })}</h3>
          <ol className="plain changes-list" data-testid="plan-changes">
            {plan.changes.map((c, i) => (
              // The change set's order is what AWS applies; position is its identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: ordered change list
              <li key={i} className="change-row">
                <button
                  type="button"
                  className="link"
                  aria-expanded={open === i}
                  onClick={() => setOpen(open === i ? null : i)}
                >
                  <strong>{c.change_type}</strong>
                </button>{" "}
                <span className="small muted">
                  {c.entity.type} {c.entity.identifier ?? ""}
                </span>
                {c.fields.length > 0 && <code className="small"> {c.fields.join(", ")}</code>}
                {open === i && (
                  <pre className="code-block">{JSON.stringify(c.details, null, 2)}</pre>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      {plan.warnings.length > 0 && (
        <div className="banner warn column" data-testid="plan-warnings">
          <strong>{t("planWarnings")}</strong>
          {plan.warnings.map((w) => (
            <p key={w.rule}>
              {tx(w.message)} <code className="small">{w.rule}</code>
            </p>
          ))}
        </div>
      )}
      {shape_errors.length > 0 && (
        <>
          <h3>{t("shapeErrors")}</h3>
          <ErrorList errors={shape_errors} testId="shape-errors" />
        </>
      )}
      {validation && (
        <div data-testid="validation" data-status={validation.status.status}>
          <h3>{t("validation")}</h3>
          {validation.status.status === "SUCCEEDED" ? (
            <p className="ok">✓ {t("validationOk")}</p>
          ) : (
            <>
              <p className="bad">{t("validationFailed", { status: validation.status.status })}</p>
              <ErrorList errors={validation.errors} testId="validation-errors" />
            </>
          )}
        </div>
      )}
    </section>
  );
}

export function LintList(props: { findings: Finding[]; compact?: boolean }) {
  const { t, tx } = useI18n();
  const { findings } = props;
  return (
    <div data-testid="lint" data-count={findings.length}>
      <p className="small muted" data-testid="lint-count">
        {findings.length === 0 ? t("lintClean") : t("lintCount", { n: findings.length })}
      </p>
      {findings.length > 0 && (
        <ul className="plain findings">
          {findings.map((f) => (
            <li key={`${f.rule}-${f.field}`} className={`finding ${f.severity}`}>
              <span className={`pill ${f.severity === "error" ? "failed" : "waived"}`}>
                {t(`severity_${f.severity}`)}
              </span>{" "}
              <code className="small">{f.field}</code> {tx(f.message)}
              {!props.compact && (
                <div className="small muted">
                  {t("lintSource")}: {f.source} · <code>{f.rule}</code>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
