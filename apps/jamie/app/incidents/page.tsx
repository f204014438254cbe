"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { getJson } from "../_lib/api";
import { useLive } from "../_lib/live";
import type { Incident } from "../_lib/types";
import { StatusBadge, when } from "../_components/Badges";

export default function Incidents() {
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => void getJson<{ incidents: Incident[] }>("/api/incidents").then((r) => { setIncidents(r.incidents); setError(""); }, (e: Error) => setError(e.message)), []);
  useEffect(load, [load]);
  useLive(load);
  const sorted = [...(incidents ?? [])].sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  return (
    <>
      <h1>Incidents</h1>
      <p className="muted small">What Scarlet has seen, newest first. This page updates itself.</p>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="panel">
        <table>
          <thead><tr><th>Opened</th><th>Incident</th><th>Root cause</th><th>Status</th><th>Decision</th></tr></thead>
          <tbody>
            {incidents === null && <tr><td colSpan={5} className="muted">Loading…</td></tr>}
            {incidents?.length === 0 && <tr><td colSpan={5} className="muted">No incidents. Quiet shift so far.</td></tr>}
            {sorted.map((i) => (
              <tr key={i.id}>
                <td className="small">{when(i.openedAt)}</td>
                <td><Link href={`/incidents/${i.id}`}>{i.title}</Link><div className="muted small">{i.id} · {i.severity}</div></td>
                <td className="small">{i.rootCause ? `${i.rootCause.kind}: ${i.rootCause.summary}` : "—"}</td>
                <td><StatusBadge status={i.status} /></td>
                <td className="small">{i.decision ? `${i.decision.route}${i.decision.action ? ` · ${i.decision.action.kind} ${i.decision.action.target}` : ""}` : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
