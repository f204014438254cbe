"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { getJson } from "../../_lib/api";
import { useLive } from "../../_lib/live";
import type { Incident } from "../../_lib/types";
import { actionText, RiskBadge, StatusBadge, when } from "../../_components/Badges";
import { LineChart } from "../../_components/LineChart";

type Series = { name: string; unit: string; points: [number, number][] };
type AuditEvent = { seq: number; at: string; actor: string; type: string; data: Record<string, unknown> };

/** The audit events that tell an incident's story, in words: decisions, approvals, actions, verification, outcome. */
const STORY: Record<string, (d: Record<string, unknown>) => string> = {
  "decision.made": (d) => `decision: ${String(d.route)}${d.action ? ` (${(d.action as { kind: string }).kind})` : ""}, confidence ${Math.round(Number(d.confidence ?? 0) * 100)} %`,
  "approval.requested": () => "approval asked for",
  "approval.decided": (d) => `approval ${String(d.decision)}d${d.reason ? `: ${String(d.reason)}` : ""}`,
  "approval.expired": () => "approval expired",
  "action.executing": (d) => `acting: ${(d.action as { kind?: string } | undefined)?.kind ?? "action"} (by ${String(d.by ?? "scarlet")})`,
  "action.failed": (d) => `action failed: ${String(d.detail ?? d.error ?? "")}`,
  "action.undone": () => "action undone: the target got worse",
  "verification.passed": (d) => `verified: ${String(d.detail ?? "healthy")}`,
  "verification.failed": (d) => `verification failed: ${String(d.detail ?? "")}`,
  "incident.escalated": (d) => `escalated: ${String(d.why ?? "")}`,
};

export default function IncidentPage() {
  const { id } = useParams<{ id: string }>();
  const [i, setI] = useState<Incident | null>(null);
  const [metrics, setMetrics] = useState<{ source: string | null; series: Series[]; note?: string } | null>(null);
  const [story, setStory] = useState<AuditEvent[]>([]);
  const [error, setError] = useState("");
  const load = useCallback(() => {
    getJson<Incident>(`/api/incidents/${encodeURIComponent(id)}`).then(setI, (e: Error) => setError(e.message));
    getJson<{ source: string | null; series: Series[]; note?: string }>(`/api/incidents/${encodeURIComponent(id)}/metrics`).then(setMetrics, () => undefined);
    getJson<{ events: AuditEvent[] }>(`/api/audit?incidentId=${encodeURIComponent(id)}&limit=200`).then((r) => setStory(r.events.filter((e) => e.type in STORY)), () => undefined);
  }, [id]);
  useEffect(load, [load]);
  useLive((_t, p) => { if ((p as { incidentId?: string }).incidentId === id) load(); });
  if (error) return <p className="error" role="alert">{error}</p>;
  if (!i) return <p className="muted">Loading…</p>;
  const events = [
    ...i.signals.map((s) => ({ at: s.at, text: `signal: ${s.source} ${s.name}` })),
    { at: i.openedAt, text: "incident opened" },
    ...i.actions.map((a) => ({ at: a.requestedAt, text: `action ${actionText(a)}: now ${a.status} (by ${a.by})` })),
    ...story.map((e) => ({ at: e.at, text: STORY[e.type]?.(e.data) ?? e.type })),
    ...(i.resolvedAt ? [{ at: i.resolvedAt, text: `closed as ${i.status}` }] : []),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <>
      <p className="small"><Link href="/incidents">← Incidents</Link></p>
      <h1>{i.title}</h1>
      <div className="row"><StatusBadge status={i.status} /> <span className="badge b-muted">{i.severity}</span> <span className="muted small">{i.id} · opened {when(i.openedAt)}{i.resolvedAt ? ` · closed ${when(i.resolvedAt)}` : ""}</span></div>
      <div className="grid2" style={{ marginTop: 14 }}>
        <section className="panel" aria-labelledby="rc">
          <h2 id="rc">Root cause</h2>
          {i.rootCause ? (
            <>
              <p><strong>{i.rootCause.kind}</strong> — {i.rootCause.summary}</p>
              <h2>Evidence</h2>
              <pre className="code">{i.rootCause.evidence.join("\n")}</pre>
            </>
          ) : <p className="muted">Not named yet.</p>}
        </section>
        <section className="panel" aria-labelledby="dec">
          <h2 id="dec">Decision</h2>
          {i.decision ? (
            <>
              <p><strong>{i.decision.route}</strong>{i.decision.action ? ` · ${actionText(i.decision.action)}` : ""} <RiskBadge risk={i.decision.risk} /> <span className="muted small">confidence {Math.round(i.decision.confidence * 100)} %</span></p>
              <ul className="small">{i.decision.reasons.map((r, k) => <li key={k}>{r}</li>)}</ul>
            </>
          ) : <p className="muted">No decision yet.</p>}
          <h2>Actions</h2>
          {i.actions.length === 0 ? <p className="muted small">None.</p> : (
            <ul className="small">{i.actions.map((a) => <li key={a.id}><StatusBadge status={a.status} /> {actionText(a)} <span className="muted">by {a.by}</span></li>)}</ul>
          )}
        </section>
      </div>
      <h2>Metrics around the incident</h2>
      {metrics?.source && <p className="muted small">From {metrics.source === "prometheus" ? "Prometheus" : "the sandbox's telemetry, recorded by Jamie (no Prometheus configured)"}.</p>}
      {metrics?.note && <p className="muted small">{metrics.note}</p>}
      <div className="charts">
        {(metrics?.series ?? []).map((s) => <LineChart key={s.name} title={s.name} unit={s.unit} points={s.points} mark={Date.parse(i.openedAt)} />)}
      </div>
      <h2>Timeline</h2>
      <ol className="timeline panel">{events.map((e, k) => <li key={k}><span className="muted small">{when(e.at)}</span> — {e.text}</li>)}</ol>
    </>
  );
}
