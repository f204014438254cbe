/**
 * The call graph drawn in layers: each service one column to the right of its deepest caller.
 * Colour is health; externals are grey. Plain SVG: small, and readable without a chart library.
 */
export function ServiceMap({ calls, external, health }: { calls: { from: string; to: string }[]; external: string[]; health: Map<string, string> }) {
  const nodes = [...new Set(calls.flatMap((c) => [c.from, c.to]))];
  const depth = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (let pass = 0; pass < nodes.length; pass++) for (const c of calls) depth.set(c.to, Math.max(depth.get(c.to) ?? 0, (depth.get(c.from) ?? 0) + 1));
  const columns = new Map<number, string[]>();
  for (const n of nodes.sort()) columns.set(depth.get(n) ?? 0, [...(columns.get(depth.get(n) ?? 0) ?? []), n]);
  const colW = 170;
  const rowH = 46;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [d, ns] of columns) ns.forEach((n, i) => pos.set(n, { x: 10 + d * colW, y: 14 + i * rowH }));
  const width = 20 + (Math.max(...columns.keys()) + 1) * colW;
  const height = 20 + Math.max(...[...columns.values()].map((c) => c.length)) * rowH;
  const fill = (n: string) => (external.includes(n) ? "#eef0f3" : ({ healthy: "#e3f4e8", degraded: "#fff3d6", down: "#fde7e5", "scaled-to-zero": "#eef0f3" } as Record<string, string>)[health.get(n) ?? ""] ?? "#fff");
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxHeight: 420 }} role="img" aria-label={`Service map: ${calls.map((c) => `${c.from} calls ${c.to}`).join("; ")}`}>
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b6675" /></marker></defs>
      {calls.map((c) => {
        const a = pos.get(c.from);
        const b = pos.get(c.to);
        return a && b ? <line key={`${c.from}>${c.to}`} x1={a.x + 140} y1={a.y + 14} x2={b.x} y2={b.y + 14} stroke="#8a94a3" markerEnd="url(#arrow)" /> : null;
      })}
      {nodes.map((n) => {
        const p = pos.get(n);
        return p ? (
          <g key={n}>
            <rect x={p.x} y={p.y} width={140} height={28} rx={6} fill={fill(n)} stroke="#b9c2cc" />
            <text x={p.x + 8} y={p.y + 18} fontSize={12} fill="#1c2430">{n.length > 20 ? `…${n.slice(-19)}` : n}</text>
          </g>
        ) : null;
      })}
    </svg>
  );
}
