"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { getJson, postJson } from "../_lib/api";
import { useLive } from "../_lib/live";
import type { Approval, Me } from "../_lib/types";
import { actionText, RiskBadge, when } from "../_components/Badges";

export default function Approvals() {
  const [me, setMe] = useState<Me | null>(null);
  const [approvals, setApprovals] = useState<Approval[] | null>(null);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const load = useCallback(() => void getJson<{ approvals: Approval[] }>("/api/approvals?status=pending").then((r) => setApprovals(r.approvals), (e: Error) => setError(e.message)), []);
  useEffect(() => { void getJson<Me>("/api/me").then(setMe); load(); }, [load]);
  useLive(load);
  const canDecide = me?.user.role === "approver" || me?.user.role === "admin";
  const decide = async (a: Approval, decision: "approve" | "reject") => {
    let reason: string | undefined;
    if (decision === "reject") {
      reason = window.prompt("Why reject it? (recorded in the audit log)") ?? undefined;
      if (reason === undefined) return;
    }
    setError("");
    try {
      await postJson(`/api/approvals/${encodeURIComponent(a.id)}`, { decision, ...(reason ? { reason } : {}) });
      setMessage(`${decision === "approve" ? "Approved" : "Rejected"}: ${actionText(a.action)}`);
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : "the decision did not get through");
    }
  };
  return (
    <>
      <h1>Approvals</h1>
      <p className="muted small">Actions Scarlet will only take with a person’s yes. {canDecide ? "You can decide them." : "You can see them; deciding needs the approver role."}</p>
      {message && <p role="status" className="badge b-ok">{message}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {approvals === null && <p className="muted">Loading…</p>}
      {approvals?.length === 0 && <div className="panel muted">Nothing waiting for a decision.</div>}
      {approvals?.map((a) => (
        <article key={a.id} className="panel" style={{ marginBottom: 12 }} aria-labelledby={`t-${a.id}`}>
          <h2 id={`t-${a.id}`}>{actionText(a.action)} <RiskBadge risk={a.risk} /></h2>
          <p className="small muted">For <Link href={`/incidents/${a.incidentId}`}>{a.incidentId}</Link> · asked {when(a.requestedAt)} · expires {when(a.expiresAt)}</p>
          <h3 className="small">Why</h3>
          <ul className="small">{a.reasons.map((r, k) => <li key={k}>{r}</li>)}</ul>
          {a.pullRequest && <p className="small">A GitOps change: <strong>merging the pull request is the approval</strong>; closing it (or rejecting here) rejects it.</p>}
          {a.preview && (<details open><summary className="small">Dry run: what it would change</summary><pre className="code">{a.preview}</pre></details>)}
          <div className="row">
            {a.pullRequest ? (
              <a className="btn" href={a.pullRequest.url} target="_blank" rel="noreferrer">Review and merge {a.pullRequest.repo}#{a.pullRequest.number}</a>
            ) : (
              <button className="ok" disabled={!canDecide} onClick={() => void decide(a, "approve")} aria-describedby={canDecide ? undefined : "role-note"}>Approve</button>
            )}
            <button disabled={!canDecide} onClick={() => void decide(a, "reject")}>Reject</button>
            {!canDecide && <span id="role-note" className="muted small">Needs the approver role.</span>}
          </div>
        </article>
      ))}
    </>
  );
}
