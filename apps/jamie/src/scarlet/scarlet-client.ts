import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { Action, Approval, ApprovalDecision, err, Incident, ok, Route, type ApprovalStatus, type IncidentStatus, type Logger, type Result } from "@autodevops/shared";

/** How long one request to Scarlet may take before Jamie answers without it. */
export const DEFAULT_SCARLET_TIMEOUT_MS = 5_000;
/** A proposal refused as `not_leader` is sent at most this many times in all. */
const PROPOSE_TRIES = 5;
/** The wait before sending it again: Scarlet's Retry-After, at most this long (250 ms without one). */
const MAX_RETRY_WAIT_MS = 2_000;
const DEFAULT_RETRY_WAIT_MS = 250;

/** What went wrong talking to Scarlet; `message` names Scarlet and, when there was one, the status. */
export type ScarletError =
  | { code: "forbidden"; status: 401 | 403; message: string }
  | { code: "conflict"; status: 409; message: string }
  /** The replica reached does not lead the action's cluster (503); `propose` retries it before giving up with this code. */
  | { code: "not_leader"; status: 503; retryAfterMs: number | undefined; message: string }
  | { code: "not_found"; status: 404; message: string }
  | { code: "rejected"; status: number; message: string }
  | { code: "http"; status: number; message: string }
  | { code: "timeout"; message: string }
  | { code: "unavailable"; message: string }
  | { code: "invalid_response"; message: string };

/** The body of `POST /api/proposals`: a change a person asked Jamie for, in the action vocabulary. */
export const ProposalRequest = z.object({ action: Action, reason: z.string().min(1).max(2000), requestedBy: z.string().min(1) });
export type ProposalRequest = z.infer<typeof ProposalRequest>;

/**
 * Scarlet's answer to a proposal. `route` is the policy's: "approval" waits for a human,
 * "escalate"/"none" (or a route Scarlet adds later, such as "refused") means it will not run.
 */
export const ProposalResult = z.object({
  incidentId: z.string().min(1),
  approvalId: z.string().min(1).optional(),
  /** A GitOps-managed target: the pull request whose merge is the approval. */
  pullRequest: z.string().min(1).optional(),
  route: z.union([Route, z.string().min(1)]),
  reasons: z.array(z.string()).default([]),
});
export type ProposalResult = z.infer<typeof ProposalResult>;

const IncidentList = z.object({ incidents: z.array(Incident) });
const ApprovalList = z.object({ approvals: z.array(Approval) });
const ErrorBody = z.object({ error: z.string(), code: z.string().optional() });

export interface ScarletClientOptions {
  /** Scarlet's base URL, e.g. http://127.0.0.1:7080. */
  baseUrl: string;
  timeoutMs?: number;
  log: Logger;
  fetch?: typeof fetch;
  /** Sent as the bearer token of `POST /api/proposals` (Scarlet takes proposals only from a known approver client). */
  proposerToken?: string;
  /** How the client waits before retrying a proposal; tests pass one that records the waits. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The part of Scarlet's API (CONTRACTS §5) Jamie uses; every response is validated. */
export interface ScarletClient {
  listIncidents(q?: { status?: IncidentStatus; since?: Date | string }, signal?: AbortSignal): Promise<Result<Incident[], ScarletError>>;
  getIncident(id: string, signal?: AbortSignal): Promise<Result<Incident, ScarletError>>;
  listApprovals(q?: { status?: ApprovalStatus }, signal?: AbortSignal): Promise<Result<Approval[], ScarletError>>;
  /** 200 → the decided approval; 403 → forbidden; 409 → conflict (decided or expired); 404 → not_found. */
  decideApproval(id: string, decision: ApprovalDecision, approverToken: string, signal?: AbortSignal): Promise<Result<Approval, ScarletError>>;
  /**
   * Hands a change to Scarlet's policy and approval path; Jamie never executes it. A 503
   * `not_leader` (a replica that does not lead the cluster) is sent again, up to 5 times in all;
   * nothing else is, since a proposal that may have been taken must not be made twice.
   */
  propose(request: ProposalRequest, signal?: AbortSignal): Promise<Result<ProposalResult, ScarletError>>;
}

function errorOfStatus(status: number, what: string, detail: string, code: string | undefined, retryAfter: string | null): ScarletError {
  const message = `Scarlet answered ${status} to ${what}${detail ? `: ${detail}` : ""}`;
  if (status === 503 && code === "not_leader") return { code: "not_leader", status, retryAfterMs: retryAfterMs(retryAfter), message };
  if (status === 401 || status === 403) return { code: "forbidden", status, message };
  if (status === 404) return { code: "not_found", status, message };
  if (status === 409) return { code: "conflict", status, message };
  if (status === 400 || status === 422) return { code: "rejected", status, message };
  return { code: "http", status, message };
}

/** Retry-After in seconds (the only form Scarlet sends); undefined when absent or another form. */
function retryAfterMs(header: string | null): number | undefined {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : undefined;
}

/** A client of Scarlet's HTTP API; errors come back as results, never thrown. */
export function createScarletClient(opts: ScarletClientOptions): ScarletClient {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SCARLET_TIMEOUT_MS;
  const doFetch = opts.fetch ?? fetch;
  const wait = opts.wait ?? ((ms: number, signal?: AbortSignal) => sleep(ms, undefined, signal ? { signal } : {}));
  const log = opts.log.child({ component: "scarlet-client" });

  async function request<T>(method: "GET" | "POST", path: string, schema: z.ZodType<T>, init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal | undefined } = {}): Promise<Result<T, ScarletError>> {
    const what = `${method} ${path.split("?")[0] ?? path}`;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: { accept: "application/json", ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal,
      });
    } catch (e) {
      if (deadline.aborted) return err({ code: "timeout", message: `Scarlet did not answer ${what} within ${timeoutMs} ms` });
      const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
      log.warn({ what, err: cause }, "Scarlet unreachable");
      return err({ code: "unavailable", message: `Scarlet is unreachable at ${base} (${what}): ${cause}` });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      return err({ code: "unavailable", message: `Scarlet's answer to ${what} broke off: ${(e as Error).message}` });
    }
    if (!res.ok) {
      let detail = text.slice(0, 300);
      let code: string | undefined;
      try {
        const body = ErrorBody.safeParse(JSON.parse(text));
        if (body.success) {
          detail = body.data.error;
          code = body.data.code;
        }
      } catch {
        // not JSON: the text itself is the detail
      }
      return err(errorOfStatus(res.status, what, detail, code, res.headers.get("retry-after")));
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return err({ code: "invalid_response", message: `Scarlet answered ${res.status} to ${what} with something that is not JSON` });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      log.warn({ what, issues: parsed.error.issues.slice(0, 5) }, "Scarlet's answer does not match the contract");
      return err({ code: "invalid_response", message: `Scarlet answered ${res.status} to ${what} with an unexpected shape: ${first ? `${first.path.join(".")} ${first.message}` : "invalid"}` });
    }
    return ok(parsed.data);
  }

  return {
    async listIncidents(q = {}, signal) {
      const params = new URLSearchParams();
      if (q.status) params.set("status", q.status);
      if (q.since) params.set("since", typeof q.since === "string" ? q.since : q.since.toISOString());
      const qs = params.size ? `?${params.toString()}` : "";
      const r = await request("GET", `/api/incidents${qs}`, IncidentList, { signal });
      return r.ok ? ok(r.value.incidents) : r;
    },
    getIncident(id, signal) {
      return request("GET", `/api/incidents/${encodeURIComponent(id)}`, Incident, { signal });
    },
    async listApprovals(q = {}, signal) {
      const qs = q.status ? `?status=${q.status}` : "";
      const r = await request("GET", `/api/approvals${qs}`, ApprovalList, { signal });
      return r.ok ? ok(r.value.approvals) : r;
    },
    decideApproval(id, decision, approverToken, signal) {
      const body = ApprovalDecision.parse(decision);
      return request("POST", `/api/approvals/${encodeURIComponent(id)}`, Approval, { body, headers: { authorization: `Bearer ${approverToken}` }, signal });
    },
    async propose(proposal, signal) {
      const body = ProposalRequest.parse(proposal);
      const cluster = body.action.cluster;
      // `connection: close`: no attempt's connection is used again, so behind a Service a retry goes
      // out on a connection routed independently of the replica that refused (Scarlet closes it too).
      const headers = { connection: "close", ...(opts.proposerToken ? { authorization: `Bearer ${opts.proposerToken}` } : {}) };
      for (let tries = 1; ; tries++) {
        const r = await request("POST", "/api/proposals", ProposalResult, { body, signal, headers });
        if (r.ok || r.error.code !== "not_leader") return r;
        if (tries === PROPOSE_TRIES) {
          log.warn({ cluster, tries }, "no Scarlet replica leading the cluster answered the proposal");
          return err({ ...r.error, message: `no Scarlet replica leading cluster ${cluster} answered (${tries} tries); try again` });
        }
        const ms = Math.min(r.error.retryAfterMs ?? DEFAULT_RETRY_WAIT_MS, MAX_RETRY_WAIT_MS);
        log.info({ cluster, tries, waitMs: ms }, "proposal reached a replica that does not lead the cluster: retrying");
        try {
          await wait(ms, signal);
        } catch {
          return r; // the caller gave up (its signal aborted) while we waited
        }
      }
    },
  };
}
