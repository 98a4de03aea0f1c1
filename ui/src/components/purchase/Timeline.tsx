// The session's timeline: what the backend observed and already parsed (its source, kind and
// one-line summary), with each payload exactly as received one click away.
import { useState } from "react";
import { useI18n } from "../../i18n";
import type { TimelineEvent } from "../../ipc";

/** A JSON payload indented for reading; anything else as received. */
export function prettyRaw(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export function Timeline(props: { events: TimelineEvent[] }) {
  const { t, tx, fmt } = useI18n();
  const [openRaw, setOpenRaw] = useState<Set<number>>(new Set());
  const toggle = (seq: number) => {
    const next = new Set(openRaw);
    if (next.has(seq)) next.delete(seq);
    else next.add(seq);
    setOpenRaw(next);
  };
  return (
    <section className="card">
      <h2>{t("purchaseTimeline")}</h2>
      {props.events.length === 0 ? (
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
            {props.events.map((e) => (
              <tr key={e.seq} data-kind={e.kind} className={e.malformed ? "malformed" : undefined}>
                <td className="small muted">{fmt.number(e.seq)}</td>
                <td className="small">{fmt.dateTimeSeconds(e.occurred_at ?? e.observed_at)}</td>
                <td className="small">{t(`source_${e.source}`)}</td>
                <td>
                  {e.malformed && <span className="pill failed">{t("purchaseMalformed")}</span>}{" "}
                  {tx(e.summary)}{" "}
                  <button
                    type="button"
                    className="btn small ghost"
                    aria-expanded={openRaw.has(e.seq)}
                    data-testid={`raw-${e.seq}`}
                    onClick={() => toggle(e.seq)}
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
  );
}
