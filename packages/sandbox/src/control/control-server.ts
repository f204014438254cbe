import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "@autodevops/shared";
import { readBody, sendJson } from "../api/http-io.js";
import type { MutationLog } from "../api/mutation-log.js";
import type { ClusterInfo, ClustersResponse } from "./cluster-info.js";
import { describeIssues, MutationsQuery, ResetBody } from "./requests.js";

export interface ControlServerDeps {
  /** Absolute path of the kubeconfig the sandbox wrote. */
  kubeconfigPath: string;
  clusters: readonly ClusterInfo[];
  mutations: Pick<MutationLog, "received">;
  /** Restores every cluster's baseline estate and clears the mutation log; resolves when done. */
  reset: () => Promise<void>;
  /** Whether the estate is up; `/readyz` answers 503 until it is. Default: ready. */
  ready?: () => boolean;
  log: Pick<Logger, "info" | "error">;
  /** Serves `/sandbox/faults*` (faults/fault-routes.ts); resolves false for a request it does not take. */
  handleFaults: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

type Method = "GET" | "POST" | "DELETE";
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
interface Route {
  path: RegExp;
  methods: Partial<Record<Method, Handler>>;
}

/**
 * The sandbox control API of CONTRACTS.md section 2: the clusters and their kubeconfig, reset,
 * the mutation log, health. The caller listens. Fault injection answers 501 until part 2.
 */
export function createControlServer(deps: ControlServerDeps): Server {
  // Resets run one after another: a second request waits for the first and then resets again,
  // so each caller gets the baseline as it stood after its own request.
  let resets: Promise<unknown> = Promise.resolve();
  const reset = (): Promise<void> => {
    const run = resets.then(() => deps.reset());
    resets = run.catch(() => undefined);
    return run;
  };


  const routes: Route[] = [
    { path: /^\/healthz$/, methods: { GET: (_req, res) => sendJson(res, 200, { status: "ok" }) } },
    {
      path: /^\/readyz$/,
      methods: {
        GET: (_req, res) => ((deps.ready?.() ?? true) ? sendJson(res, 200, { status: "ready" }) : sendJson(res, 503, { status: "starting" })),
      },
    },
    {
      path: /^\/sandbox\/clusters$/,
      methods: {
        GET: (_req, res) => {
          const body: ClustersResponse = { kubeconfig: deps.kubeconfigPath, clusters: [...deps.clusters] };
          sendJson(res, 200, body);
        },
      },
    },
    {
      path: /^\/sandbox\/reset$/,
      methods: {
        POST: async (req, res) => {
          const text = await readBody(req);
          if (text === undefined) return sendJson(res, 413, { error: "request body too large" });
          let body: unknown = {};
          if (text.trim() !== "") {
            try {
              body = JSON.parse(text);
            } catch (e) {
              return sendJson(res, 400, { error: `body is not JSON: ${(e as Error).message}` });
            }
          }
          const parsed = ResetBody.safeParse(body);
          if (!parsed.success) return sendJson(res, 400, { error: `reset takes no parameters: ${describeIssues(parsed.error)}` });
          const started = Date.now();
          try {
            await reset();
          } catch (e) {
            deps.log.error({ err: e }, "sandbox reset failed");
            return sendJson(res, 500, { error: `reset failed: ${(e as Error).message}` });
          }
          deps.log.info({ ms: Date.now() - started }, "sandbox reset");
          sendJson(res, 200, { ok: true });
        },
      },
    },
    {
      path: /^\/sandbox\/mutations$/,
      methods: {
        GET: (_req, res, url) => {
          if (url.searchParams.getAll("since").length > 1) return sendJson(res, 400, { error: "since may be given once" });
          const parsed = MutationsQuery.safeParse(Object.fromEntries(url.searchParams));
          if (!parsed.success) return sendJson(res, 400, { error: describeIssues(parsed.error) });
          const since = parsed.data.since === undefined ? undefined : new Date(parsed.data.since);
          sendJson(res, 200, { mutations: deps.mutations.received(since) });
        },
      },
    },
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://control.invalid");
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/sandbox/faults") && (await deps.handleFaults(req, res, url))) return;
    const route = routes.find((r) => r.path.test(url.pathname));
    if (!route) return sendJson(res, 404, { error: `no such endpoint: ${url.pathname}` });
    // HEAD is GET without a body; Node drops the body of a HEAD response itself.
    const wanted = method === "HEAD" ? "GET" : method;
    const handler = Object.hasOwn(route.methods, wanted) ? route.methods[wanted as Method] : undefined;
    if (!handler) {
      const allowed = Object.keys(route.methods);
      res.setHeader("allow", [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : [])].join(", "));
      return sendJson(res, 405, { error: `${method} is not allowed on ${url.pathname}; use ${allowed.join(" or ")}` });
    }
    await handler(req, res, url);
  };

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      deps.log.error({ err: e, method: req.method, url: req.url }, "control request failed");
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
}
