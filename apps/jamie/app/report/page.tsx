"use client";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { DurationStats, OperationsReport } from "../../src/portal/operations-report-schema";
import { getJson } from "../_lib/api";
import { when } from "../_components/Badges";

const DAY_MS = 86_400_000;
const PRESETS = [1, 7, 30, 90] as const;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Whole UTC days, `to` included: the API's range is [from 00:00, the day after `to` 00:00). */
function apiRange(from: string, to: string): URLSearchParams {
  return new URLSearchParams({ from: `${from}T00:00:00.000Z`, to: new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS).toISOString() });
}

function duration(s: number | null): string {
  if (s === null) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const percent = (x: number | null) => (x === null ? "–" : `${Math.round(x * 100)} %`);

const OUTCOMES = [
  ["autoFixed", "Fixed automatically", "var(--ok)"],
  ["afterApproval", "Fixed after approval", "var(--info)"],
  ["escalated", "Escalated to people", "var(--warn)"],
  ["closedWithoutFix", "Closed without a fix", "#8a94a3"],
  ["open", "Still open", "#c5ccd5"],
] as const;

function Tile({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="panel">
      <div className="small muted">{label}</div>
      <div style={{ fontSize: 26, fontWeight: 700 }}>{value}</div>
      {note && <div className="small muted">{note}</div>}
    </div>
  );
}

/** A bar whose meaning is in the text beside it: decorative for screen readers. */
const Bar = ({ share, color }: { share: number; color: string }) => (
  <div aria-hidden="true" style={{ background: "#eef0f3", borderRadius: 4, height: 10, minWidth: 80 }}>
    <div style={{ width: `${Math.round(share * 100)}%`, background: color, height: 10, borderRadius: 4 }} />
  </div>
);

function DurationRow({ name, d, counted }: { name: string; d: DurationStats; counted: string }) {
  return (
    <tr>
      <th scope="row">{name}</th><td>{d.count} {counted}</td><td>{duration(d.medianSeconds)}</td><td>{duration(d.p90Seconds)}</td>
    </tr>
  );
}

export default function ReportPage() {
  const today = dayOf(new Date());
  const [from, setFrom] = useState(dayOf(new Date(Date.now() - 6 * DAY_MS)));
  const [to, setTo] = useState(today);
  const [report, setReport] = useState<OperationsReport | null>(null);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(false);

  const load = useCallback((f: string, t: string) => {
    setLoading(true);
    getJson<OperationsReport>(`/api/report?${apiRange(f, t)}`)
      .then((r) => { setReport(r); setError(""); }, (x: Error) => setError(x.message))
      .finally(() => setLoading(false));
  }, []);
  // The default range loads once; later ones on submit or a preset.
  useEffect(() => load(from, to), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    load(from, to);
  };
  const preset = (days: number) => {
    const f = dayOf(new Date(Date.now() - (days - 1) * DAY_MS));
    setFrom(f);
    setTo(today);
    load(f, today);
  };

  const r = report;
  const outcomes = r ? OUTCOMES.map(([key, label, color]) => ({ key, label, color, n: r.automation[key] })) : [];
  const maxKind = Math.max(1, ...(r?.incidents.byKind.map((k) => k.opened) ?? []));
  const exportQuery = apiRange(from, to);

  return (
    <>
      <h1>Operations report</h1>
      <form className="row panel" onSubmit={submit} aria-label="Report range">
        <div>
          <label htmlFor="from">From (UTC day)</label>
          <input id="from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} required />
        </div>
        <div>
          <label htmlFor="to">To (UTC day, included)</label>
          <input id="to" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} required />
        </div>
        <button className="primary" type="submit" style={{ alignSelf: "flex-end" }} disabled={loading}>Show</button>
        <div role="group" aria-label="Quick ranges" className="row" style={{ alignSelf: "flex-end" }}>
          {PRESETS.map((d) => (
            <button key={d} type="button" onClick={() => preset(d)}>{d === 1 ? "Today" : `Last ${d} days`}</button>
          ))}
        </div>
        <div className="row" style={{ alignSelf: "flex-end", marginLeft: "auto" }}>
          <a className="btn" href={`/api/report?${exportQuery}&format=csv`} download>Export CSV</a>
          <a className="btn" href={`/api/report?${exportQuery}&format=json`} download={`operations-report_${from}_${to}.json`}>Export JSON</a>
        </div>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {r && (
        <div aria-live="polite" aria-busy={loading}>
          <p className="small muted">From {when(r.range.from)} to {when(r.range.to)}, from the audit log.{r.incidentRecords === null && " Root-cause kinds and time to detect need Scarlet's incident records, which are not in this database."}</p>
          <section aria-label="Key figures" className="charts" style={{ marginTop: 12 }}>
            <Tile label="Incidents opened" value={String(r.incidents.opened)} />
            <Tile label="Automation rate" value={percent(r.automation.rate)} note="fixed alone ÷ (fixed alone + after approval + escalated)" />
            <Tile label="Time to detect (median)" value={duration(r.timeToDetect.medianSeconds)} note={`p90 ${duration(r.timeToDetect.p90Seconds)}`} />
            <Tile label="Time to mitigate (median)" value={duration(r.timeToMitigate.medianSeconds)} note={`p90 ${duration(r.timeToMitigate.p90Seconds)}`} />
            <Tile label="Approvals waiting now" value={String(r.approvals.waitingNow)} />
            <Tile label="Failed / undone actions" value={`${r.actions.failed} / ${r.actions.undone}`} note={`of ${r.actions.executed} run`} />
          </section>

          <div className="grid2" style={{ marginTop: 16 }}>
            <section className="panel" aria-labelledby="h-outcomes">
              <h2 id="h-outcomes">How incidents ended</h2>
              <table>
                <thead><tr><th scope="col">Outcome</th><th scope="col">Incidents</th><th scope="col"><span className="skip">Share</span></th></tr></thead>
                <tbody>
                  {outcomes.map((o) => (
                    <tr key={o.key}><th scope="row">{o.label}</th><td>{o.n}</td><td style={{ width: "45%" }}><Bar share={r.incidents.opened ? o.n / r.incidents.opened : 0} color={o.color} /></td></tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="panel" aria-labelledby="h-kinds">
              <h2 id="h-kinds">Incidents by root cause</h2>
              {r.incidents.byKind.length === 0 ? <p className="muted">No incidents in this range.</p> : (
                <table>
                  <thead><tr><th scope="col">Kind</th><th scope="col">Opened</th><th scope="col">Fixed alone</th><th scope="col">After approval</th><th scope="col">Escalated</th><th scope="col"><span className="skip">Share</span></th></tr></thead>
                  <tbody>
                    {r.incidents.byKind.map((k) => (
                      <tr key={k.kind}><th scope="row" style={{ whiteSpace: "nowrap" }}>{k.kind}</th><td>{k.opened}</td><td>{k.autoFixed}</td><td>{k.afterApproval}</td><td>{k.escalated}</td><td style={{ width: "30%" }}><Bar share={k.opened / maxKind} color="var(--info)" /></td></tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>

          <div className="grid2" style={{ marginTop: 16 }}>
            <section className="panel" aria-labelledby="h-times">
              <h2 id="h-times">Times</h2>
              <table>
                <thead><tr><th scope="col">Measure</th><th scope="col">Samples</th><th scope="col">Median</th><th scope="col">p90</th></tr></thead>
                <tbody>
                  <DurationRow name="Time to detect" d={r.timeToDetect} counted="incidents" />
                  <DurationRow name="Time to mitigate" d={r.timeToMitigate} counted="incidents" />
                  <DurationRow name="Approval wait" d={r.approvals.wait} counted="requests" />
                </tbody>
              </table>
              <details className="small" style={{ marginTop: 8 }}>
                <summary>How these are measured</summary>
                <p>Time to detect: from an incident&apos;s first signal to its opening. Time to mitigate: from its opening to the first verification that passed. Approval wait: from the request to its decision or expiry. Medians and p90s interpolate between samples.</p>
              </details>
            </section>
            <section className="panel" aria-labelledby="h-approvals">
              <h2 id="h-approvals">Approvals and actions</h2>
              <table>
                <tbody>
                  <tr><th scope="row">Approvals requested</th><td>{r.approvals.requested}</td></tr>
                  <tr><th scope="row">Approved / rejected / expired</th><td>{r.approvals.approved} / {r.approvals.rejected} / {r.approvals.expired}</td></tr>
                  <tr><th scope="row">Waiting now</th><td>{r.approvals.waitingNow}</td></tr>
                  <tr><th scope="row">Actions run / succeeded</th><td>{r.actions.executed} / {r.actions.succeeded}</td></tr>
                  <tr><th scope="row">Failed / undone</th><td>{r.actions.failed} / {r.actions.undone}</td></tr>
                </tbody>
              </table>
            </section>
          </div>

          <section className="panel" aria-labelledby="h-problems" style={{ marginTop: 16 }}>
            <h2 id="h-problems">Failed and undone actions</h2>
            {r.actions.problems.length === 0 ? <p className="muted">None in this range.</p> : (
              <table>
                <thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col">Action</th><th scope="col">Incident</th><th scope="col">Detail</th></tr></thead>
                <tbody>
                  {r.actions.problems.map((p) => (
                    <tr key={`${p.at}-${p.incidentId ?? ""}-${p.outcome}`}>
                      <td className="small">{when(p.at)}</td>
                      <td><span className={`badge ${p.outcome === "failed" ? "b-bad" : "b-info"}`}>{p.outcome}</span></td>
                      <td className="small">{p.action ?? "?"}</td>
                      <td className="small">{p.incidentId ? <a href={`/incidents/${encodeURIComponent(p.incidentId)}`}>{p.incidentId}</a> : "–"}</td>
                      <td className="small">{p.detail ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      )}
    </>
  );
}
