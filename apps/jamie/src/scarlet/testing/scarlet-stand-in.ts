import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Approval, Incident } from "@autodevops/shared";

/**
 * A local stand-in of Scarlet's HTTP API (CONTRACTS §5 plus `POST /api/proposals`), for Jamie's
 * tests: it serves the incidents and approvals a test puts in, checks the approver token, and
 * answers proposals the way the test scripts. Test support, not shipped code.
 */
export interface ScarletStandIn {
  url: string;
  incidents: Incident[];
  approvals: Approval[];
  approverToken: string;
  /** Every request received, bodies parsed; `remotePort` tells connections apart. */
  requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: unknown; remotePort: number | undefined }[];
  /** How the next proposals are answered (status, body and any headers); default 201 with route "approval". */
  proposalReply: (body: unknown) => { status: number; body: unknown; headers?: Record<string, string> };
  /** A delay before every answer, to test timeouts. */
  delayMs: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(body));
}

export async function startScarletStandIn(init: { incidents?: Incident[]; approvals?: Approval[]; approverToken?: string } = {}): Promise<ScarletStandIn> {
  let seq = 0;
  const state: Omit<ScarletStandIn, "url" | "close"> = {
    incidents: init.incidents ?? [],
    approvals: init.approvals ?? [],
    approverToken: init.approverToken ?? "approver-token",
    requests: [],
    delayMs: 0,
    proposalReply: () => {
      seq += 1;
      return { status: 201, body: { incidentId: `inc-proposal-${seq}`, approvalId: `appr-proposal-${seq}`, route: "approval", reasons: ["a change asked for in chat waits for a human"] } };
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? "/", "http://scarlet");
      state.requests.push({ method: req.method ?? "", path: `${url.pathname}${url.search}`, headers: req.headers, body, remotePort: req.socket.remotePort });
      const respond = () => {
        const p = url.pathname;
        if (req.method === "GET" && p === "/api/incidents") {
          const status = url.searchParams.get("status");
          const since = url.searchParams.get("since");
          const list = state.incidents.filter((i) => (!status || i.status === status) && (!since || Date.parse(i.updatedAt) >= Date.parse(since)));
          return send(res, 200, { incidents: list });
        }
        const inc = /^\/api\/incidents\/([^/]+)$/.exec(p);
        if (req.method === "GET" && inc) {
          const found = state.incidents.find((i) => i.id === decodeURIComponent(inc[1] ?? ""));
          return found ? send(res, 200, found) : send(res, 404, { error: `no incident ${inc[1]}` });
        }
        if (req.method === "GET" && p === "/api/approvals") {
          const status = url.searchParams.get("status");
          return send(res, 200, { approvals: state.approvals.filter((a) => !status || a.status === status) });
        }
        const appr = /^\/api\/approvals\/([^/]+)$/.exec(p);
        if (req.method === "POST" && appr) {
          if (req.headers.authorization !== `Bearer ${state.approverToken}`) return send(res, 403, { error: "token is not an approver's" });
          const a = state.approvals.find((x) => x.id === decodeURIComponent(appr[1] ?? ""));
          if (!a) return send(res, 404, { error: `no approval ${appr[1]}` });
          if (a.status !== "pending") return send(res, 409, { error: `approval ${a.id} is already ${a.status}` });
          const decision = (body as { decision?: string } | undefined)?.decision;
          a.status = decision === "approve" ? "approved" : "rejected";
          a.decidedBy = "approver";
          a.decidedAt = new Date().toISOString();
          return send(res, 200, a);
        }
        if (req.method === "POST" && p === "/api/proposals") {
          const r = state.proposalReply(body);
          return send(res, r.status, r.body, r.headers);
        }
        send(res, 404, { error: `no route ${req.method} ${p}` });
      };
      if (state.delayMs > 0) setTimeout(respond, state.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A valid incident for tests; `over` replaces any field. */
export function sampleIncident(over: Partial<Incident> = {}): Incident {
  const at = "2026-03-01T10:00:00.000Z";
  return {
    id: "inc-1",
    fingerprint: "prod/shop/cart/crashloop",
    cluster: "prod",
    namespace: "shop",
    workload: "cart",
    title: "cart is crash-looping",
    severity: "critical",
    status: "resolved",
    signals: [{ source: "watch", name: "CrashLoopBackOff", at }],
    rootCause: { kind: "crashloop", cluster: "prod", namespace: "shop", workload: "cart", summary: "cart panics at start", evidence: ["panic: runtime error"] },
    decision: { route: "auto", action: { kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" } }, confidence: 0.9, risk: "low", reasons: ["restart cures a crashloop"] },
    actions: [{ kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "cart", params: { workloadKind: "Deployment" }, id: "act-1", status: "succeeded", requestedAt: at, executedAt: at, by: "scarlet" }],
    openedAt: at,
    updatedAt: at,
    resolvedAt: "2026-03-01T10:03:00.000Z",
    ...over,
  };
}

/** A valid pending approval for tests. */
export function sampleApproval(over: Partial<Approval> = {}): Approval {
  return {
    id: "appr-1",
    incidentId: "inc-2",
    action: { kind: "scale", cluster: "prod", namespace: "shop", target: "checkout", params: { replicas: 5, workloadKind: "Deployment" } },
    risk: "medium",
    reasons: ["scaling above the usual replica count needs a human"],
    requestedAt: "2026-03-01T11:00:00.000Z",
    expiresAt: "2099-03-01T12:00:00.000Z",
    status: "pending",
    ...over,
  };
}
