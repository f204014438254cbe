import { sendJson, type AuditStore, type Logger } from "@autodevops/shared";
import { z } from "zod";
import type { EstateView } from "../../portal/estate-view.js";
import type { Route } from "../router.js";

const AuditSearch = z.object({
  q: z.string().max(200).optional(),
  type: z.string().max(60).optional(),
  incidentId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The Estate page's data, and the audit log with its hash chain's verification. */
export function estateAuditRoutes(d: { estate: () => Promise<EstateView>; audit: AuditStore; log: Logger }): Route[] {
  return [
    {
      method: "GET",
      path: /^\/api\/estate$/,
      role: "viewer",
      async handler({ res }) {
        sendJson(res, 200, await d.estate());
      },
    },
    {
      method: "GET",
      path: /^\/api\/audit$/,
      role: "viewer",
      async handler({ res, url }) {
        const q = AuditSearch.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) return sendJson(res, 400, { error: q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
        const [events, chain] = await Promise.all([
          // A text search reads further back (the last 1000 events) and keeps the first `limit` matches.
          d.audit.query({ ...(q.data.type ? { type: q.data.type } : {}), ...(q.data.incidentId ? { incidentId: q.data.incidentId } : {}), limit: q.data.q ? 1000 : q.data.limit, order: "desc" }),
          d.audit.verifyChain(),
        ]);
        if (!events.ok) return sendJson(res, 502, { error: "the audit store did not answer" });
        const needle = q.data.q?.toLowerCase();
        const rows = needle ? events.value.filter((e) => JSON.stringify(e).toLowerCase().includes(needle)).slice(0, q.data.limit) : events.value;
        sendJson(res, 200, { events: rows, chain: chain.ok ? chain.value : { valid: false, checked: 0, error: "the audit store could not verify its chain" } });
      },
    },
  ];
}
