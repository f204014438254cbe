"use client";
import { useEffect, useState } from "react";
import { getJson } from "../_lib/api";
import { HealthBadge } from "../_components/Badges";
import { ServiceMap } from "../_components/ServiceMap";

type Workload = { kind: string; name: string; ready: string; health: string; revision?: string };
type Estate = { clusters: { name: string; reachable: boolean; namespaces: { name: string; workloads: Workload[] }[] }[]; calls: { from: string; to: string }[]; external: string[] };

export default function EstatePage() {
  const [estate, setEstate] = useState<Estate | null>(null);
  const [error, setError] = useState("");
  const [focus, setFocus] = useState("");
  useEffect(() => {
    setFocus(new URLSearchParams(window.location.search).get("focus") ?? "");
    getJson<Estate>("/api/estate").then(setEstate, (e: Error) => setError(e.message));
  }, []);
  const health = new Map<string, string>();
  for (const c of estate?.clusters.filter((x) => x.name === "prod") ?? []) for (const ns of c.namespaces) for (const w of ns.workloads) health.set(`${ns.name}/${w.name}`, w.health);
  return (
    <>
      <h1>Estate</h1>
      {error && <p className="error" role="alert">{error}</p>}
      {!estate && !error && <p className="muted">Reading the clusters…</p>}
      {estate && (
        <>
          <section className="panel" aria-labelledby="map"><h2 id="map">Service map (prod)</h2><ServiceMap calls={estate.calls} external={estate.external} health={health} /></section>
          {estate.clusters.map((c) => (
            <section key={c.name} aria-labelledby={`c-${c.name}`}>
              <h2 id={`c-${c.name}`}>{c.name} {c.reachable ? "" : <span className="badge b-bad">unreachable</span>}</h2>
              <div className="panel">
                <table>
                  <thead><tr><th>Namespace</th><th>Workload</th><th>Kind</th><th>Ready</th><th>Health</th><th>Revision</th></tr></thead>
                  <tbody>
                    {c.namespaces.flatMap((ns) => ns.workloads.map((w) => {
                      const ref = `${c.name}/${ns.name}/${w.kind.toLowerCase()}/${w.name}`;
                      return (
                        <tr key={ref} id={ref} style={focus === ref ? { background: "#fff3d6" } : undefined}>
                          <td>{ns.name}</td><td>{w.name}</td><td className="small">{w.kind}</td><td>{w.ready}</td><td><HealthBadge health={w.health} /></td><td className="small">{w.revision ?? ""}</td>
                        </tr>
                      );
                    }))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
        </>
      )}
    </>
  );
}
