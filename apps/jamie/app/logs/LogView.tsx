"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { getJson } from "../_lib/api";
import styles from "./logs.module.css";

type LogLine = { ts?: string; pod?: string; line: string };
type Answer = { source: "kubernetes" | "loki"; query: Record<string, unknown>; lines: LogLine[]; omitted?: number };

const RANGES = [15, 30, 60, 180, 360];
const TAILS = [50, 100, 200, 500];

const clock = (iso: string) => new Date(iso).toLocaleTimeString("en-GB", { hour12: false });

/** The log a URL asks for (see GET /api/logs), with its lines in a scrollable list that the keyboard reaches. */
export function LogView() {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(false);
  const [readAt, setReadAt] = useState<Date | null>(null);
  const [filter, setFilter] = useState("");
  const search = params.toString();
  const isQuery = params.has("query");
  const asked = params.has("query") || params.has("pod");

  const load = useCallback(() => {
    if (!asked) return;
    setLoading(true);
    getJson<Answer>(`/api/logs?${search}`).then(
      (a) => { setAnswer(a); setError(""); setReadAt(new Date()); },
      (e: Error) => { setAnswer(null); setError(e.message); },
    ).finally(() => setLoading(false));
  }, [search, asked]);
  useEffect(load, [load]);

  /** Changes one parameter of the URL (the time range, the tail), which reads the log again. */
  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    router.replace(`${path}?${next}`);
  };

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? (answer?.lines ?? []).filter((l) => l.line.toLowerCase().includes(needle)) : (answer?.lines ?? []);
  }, [answer, filter]);

  if (!asked) {
    return (
      <>
        <h1>Logs</h1>
        <p className="panel muted">No log asked for. Follow a log source from one of Jamie&apos;s answers, or ask in the chat, e.g. &quot;recent errors in cart&quot;.</p>
      </>
    );
  }

  const cluster = params.get("cluster") ?? "prod";
  const pod = params.get("pod") ?? "";
  const previous = params.get("previous") === "true";
  const since = Number(params.get("since") ?? 30);
  const tail = Number(params.get("tail") ?? 200);
  const what = isQuery ? "Loki query" : `${pod}${previous ? " (previous run)" : ""}`;
  const q = answer?.query ?? {};

  return (
    <>
      <h1>Logs: {what}</h1>
      <section className="panel" aria-labelledby="asked-heading">
        <h2 id="asked-heading" className="skip">What was asked</h2>
        <dl className={styles.asked}>
          <dt>Source</dt>
          <dd>{isQuery ? "Loki (LogQL)" : "the pod's own log, through the Kubernetes API"}</dd>
          <dt>Cluster</dt>
          <dd>{cluster}</dd>
          {isQuery ? (
            <>
              <dt>Query</dt>
              <dd className={styles.query}>{params.get("query")}</dd>
              <dt>Time range</dt>
              <dd>
                last {since} minutes
                {typeof q.start === "string" && typeof q.end === "string" ? <span className="muted small"> ({clock(q.start)} to {clock(q.end)})</span> : null}
              </dd>
            </>
          ) : (
            <>
              <dt>Pod</dt>
              <dd>{params.get("namespace")}/{pod}{typeof q.container === "string" ? `, container ${q.container}` : ""}</dd>
              <dt>Run</dt>
              <dd>{previous ? "the previous run (before the last restart)" : "the current run"}</dd>
              <dt>Time range</dt>
              <dd>the last {tail} lines</dd>
            </>
          )}
        </dl>
        <div className="row" style={{ marginTop: 10 }}>
          {isQuery ? (
            <>
              <label htmlFor="range" style={{ margin: 0 }}>Time range</label>
              <select id="range" value={RANGES.includes(since) ? since : ""} onChange={(e) => setParam("since", e.target.value)}>
                {!RANGES.includes(since) && <option value="">{since} minutes</option>}
                {RANGES.map((m) => <option key={m} value={m}>last {m < 60 ? `${m} minutes` : `${m / 60} hour${m > 60 ? "s" : ""}`}</option>)}
              </select>
            </>
          ) : (
            <>
              <label htmlFor="tail" style={{ margin: 0 }}>Lines</label>
              <select id="tail" value={TAILS.includes(tail) ? tail : ""} onChange={(e) => setParam("tail", e.target.value)}>
                {!TAILS.includes(tail) && <option value="">{tail}</option>}
                {TAILS.map((n) => <option key={n} value={n}>last {n}</option>)}
              </select>
            </>
          )}
          <label htmlFor="filter" style={{ margin: 0 }}>Filter shown lines</label>
          <input id="filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="text in the line" />
          <button type="button" className="primary" onClick={load} disabled={loading}>{loading ? "Reading…" : "Refresh"}</button>
          <span role="status" className="muted small">
            {readAt && answer ? `${answer.lines.length} line${answer.lines.length === 1 ? "" : "s"}, read at ${readAt.toLocaleTimeString("en-GB", { hour12: false })}` : ""}
          </span>
        </div>
      </section>

      {error && <p className="error" role="alert">Could not read the log: {error}</p>}
      {answer && answer.lines.length === 0 && (
        <p className={`panel muted ${styles.empty}`}>
          {isQuery ? `No lines matched in the last ${since} minutes. Widen the time range, or loosen the query's filters.` : previous ? "No log from a previous run: the container has not restarted, or its last run wrote nothing." : "The container has written nothing yet."}
        </p>
      )}
      {answer && answer.lines.length > 0 && shown.length === 0 && <p className={`panel muted ${styles.empty}`}>No shown line contains &quot;{filter}&quot;.</p>}
      {shown.length > 0 && (
        <div className={styles.box} role="region" aria-label={`Log lines: ${what}`} tabIndex={0}>
          <ol className={styles.lines}>
            {shown.map((l, i) => (
              <li key={i}>
                {l.ts ? <time className={styles.ts} dateTime={l.ts}>{clock(l.ts)}</time> : <span />}
                {l.pod ? <span className={styles.pod}>{l.pod}</span> : <span />}
                <span>{l.line}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
      {answer?.omitted ? <p className="muted small">Loki matched {answer.omitted} more line{answer.omitted === 1 ? "" : "s"} than shown here (it sends the newest of each stream); narrow the query to see them.</p> : null}
    </>
  );
}
