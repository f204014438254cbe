/** A small SVG line chart of one series, with its min and max, and the incident's opening marked. */
export function LineChart({ title, unit, points, mark }: { title: string; unit: string; points: [number, number][]; mark?: number }) {
  const w = 300;
  const h = 110;
  const fmt = (v: number) => (unit === "ratio" ? `${(v * 100).toFixed(1)} %` : unit === "seconds" ? `${v.toFixed(2)} s` : unit === "bytes" ? `${(v / 2 ** 20).toFixed(0)} MiB` : v.toFixed(0));
  if (points.length < 2) return (<figure className="panel"><figcaption>{title}</figcaption><p className="muted small">No data for this window.</p></figure>);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys) || 1];
  const px = (x: number) => ((x - x0) / (x1 - x0 || 1)) * (w - 10) + 5;
  const py = (y: number) => h - 15 - ((y - y0) / (y1 - y0 || 1)) * (h - 25);
  const d = points.map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
  return (
    <figure className="panel" style={{ margin: 0 }}>
      <figcaption>{title} <span className="muted small">max {fmt(y1)}, now {fmt(ys[ys.length - 1] ?? 0)}</span></figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={`${title}: from ${fmt(ys[0] ?? 0)} to ${fmt(ys[ys.length - 1] ?? 0)}, peak ${fmt(y1)}`}>
        {mark !== undefined && mark >= x0 && mark <= x1 && <line x1={px(mark)} x2={px(mark)} y1={5} y2={h - 15} stroke="#b3261e" strokeDasharray="3 3" />}
        <path d={d} fill="none" stroke="#1f5fa8" strokeWidth={2} />
        <line x1={5} x2={w - 5} y1={h - 15} y2={h - 15} stroke="#dde2e8" />
      </svg>
    </figure>
  );
}
