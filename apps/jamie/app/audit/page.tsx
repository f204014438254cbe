"use client";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { getJson } from "../_lib/api";
import { when } from "../_components/Badges";

type AuditEvent = { seq: number; at: string; actor: string; type: string; incidentId?: string | null; target?: string | null; data: unknown };
type Chain = { valid: boolean; checked: number; firstBroken?: { seq: number; reason: string; detail: string }; error?: string };

export default function AuditPage() {
  const [q, setQ] = useState("");
  const [type, setType] = useState("");
  const [result, setResult] = useState<{ events: AuditEvent[]; chain: Chain } | null>(null);
  const [error, setError] = useState("");
  const search = useCallback((e?: FormEvent) => {
    e?.preventDefault();
    const p = new URLSearchParams({ limit: "200", ...(q ? { q } : {}), ...(type ? { type } : {}) });
    getJson<{ events: AuditEvent[]; chain: Chain }>(`/api/audit?${p}`).then((r) => { setResult(r); setError(""); }, (x: Error) => setError(x.message));
  }, [q, type]);
  // The first search runs once on load; later ones on submit.
  useEffect(() => {
    search();
  }, []);
  const chain = result?.chain;
  return (
    <>
      <h1>Audit log</h1>
      {chain && (
        <p role="status" className={`badge ${chain.valid ? "b-ok" : "b-bad"}`}>
          {chain.valid ? `Hash chain verified (${chain.checked} events): nothing edited, removed or reordered` : `Hash chain broken${chain.firstBroken ? ` at #${chain.firstBroken.seq}: ${chain.firstBroken.reason} (${chain.firstBroken.detail})` : `: ${chain.error ?? "unknown"}`}`}
        </p>
      )}
      <form className="row panel" onSubmit={search} role="search">
        <label htmlFor="q" className="skip">Search</label>
        <input id="q" placeholder="Search (workload, incident id, text…)" value={q} onChange={(e) => setQ(e.target.value)} style={{ flex: 1 }} />
        <label htmlFor="type" className="skip">Event type</label>
        <select id="type" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">any type</option>
          {["incident.opened", "decision.made", "approval.requested", "approval.decided", "action.executing", "action.succeeded", "action.failed", "verification.passed", "verification.failed", "incident.resolved", "incident.escalated", "tool.called", "chat.answered", "input.rejected"].map((t) => <option key={t}>{t}</option>)}
        </select>
        <button className="primary" type="submit">Search</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="panel" style={{ marginTop: 12 }}>
        <table>
          <thead><tr><th>#</th><th>When</th><th>Actor</th><th>Type</th><th>Incident</th><th>Details</th></tr></thead>
          <tbody>
            {result?.events.map((e) => (
              <tr key={e.seq}>
                <td className="small">{e.seq}</td><td className="small">{when(e.at)}</td><td className="small">{e.actor}</td><td className="small">{e.type}</td><td className="small">{e.incidentId ?? ""}</td>
                <td><details><summary className="small">data</summary><pre className="code">{JSON.stringify(e.data, null, 2)}</pre></details></td>
              </tr>
            ))}
          </tbody>
        </table>
        {result?.events.length === 0 && <p className="muted">No events match.</p>}
      </div>
    </>
  );
}
