// The automatic verdicts of a session: what the app decided from the timeline, and why.
import { useI18n } from "../../i18n";
import type { Verdict, VerdictState } from "../../ipc";

const pill: Record<VerdictState, string> = {
  not_yet: "pill",
  pending: "pill in_progress",
  pass: "pill passed",
  fail: "pill failed",
};

export function Verdicts(props: { verdicts: Verdict[] }) {
  const { t, tx } = useI18n();
  return (
    <section className="card">
      <h2>{t("purchaseVerdicts")}</h2>
      <ul className="plain" data-testid="purchase-verdicts">
        {props.verdicts.map((v) => (
          <li key={v.id} data-verdict={v.id} data-state={v.state}>
            <span className={pill[v.state]}>{t(`verdictState_${v.state}`)}</span>{" "}
            <strong>{t(`verdict_${v.id}`)}</strong>{" "}
            <span className="small muted">{tx(v.detail)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
