export function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((done / total) * 100);
}

export function Progress(props: { done: number; total: number; label: string; big?: boolean }) {
  const p = percent(props.done, props.total);
  return (
    <div
      className={props.big ? "progress big" : "progress"}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={p}
      aria-label={props.label}
    >
      <div className="progress-fill" style={{ width: `${p}%` }} />
    </div>
  );
}
