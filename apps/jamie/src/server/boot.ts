import type { Server } from "node:http";
import { createMcpToolbox, type McpToolbox } from "@autodevops/mcp-clients";
import { clustersFromKubeconfig, clustersFromSandbox, mcpConfigFor } from "@autodevops/scarlet";
import { createEventBus, PgAuditStore, runMigrations, type Config, type EventBus, type Incident, type Logger } from "@autodevops/shared";
import pg from "pg";
import { createAssistant } from "../agent/assistant.js";
import { jamieChatModel } from "../agent/chat-model.js";
import { RateLimiter } from "../auth/rate-limit.js";
import { Sessions } from "../auth/sessions.js";
import { UserDirectory } from "../auth/users.js";
import { migrateJamie, openMemory, rememberIncidentSummaries, type VectorMemory } from "../memory/index.js";
import { ConversationStore } from "../portal/conversations.js";
import { readEstate } from "../portal/estate-view.js";
import { operationsReport } from "../portal/operations-report.js";
import { incidentMetrics } from "../portal/incident-metrics.js";
import { TelemetryRecorder } from "../portal/telemetry-recorder.js";
import { createScarletClient } from "../scarlet/scarlet-client.js";
import { startSlack } from "../slack/index.js";
import { LiveEvents } from "./live-events.js";
import { createPortalServer } from "./portal-server.js";
import { authRoutes } from "./routes/auth-routes.js";
import { chatRoutes } from "./routes/chat-routes.js";
import { estateAuditRoutes } from "./routes/estate-audit-routes.js";
import { reportRoutes } from "./routes/report-routes.js";
import { logsRoutes } from "./routes/logs-routes.js";
import { scarletRoutes, type IncidentCharts } from "./routes/scarlet-routes.js";
import { pagesHandler } from "./next-pages.js";

export interface JamieBootOptions {
  config: Config;
  databaseUrl: string;
  approverToken: string;
  apiKey: string | undefined;
  sessionSecret: string;
  host: string;
  port: number;
  log: Logger;
  /** Serve the Next.js pages too (off for API-only tests). */
  pages: boolean;
  /** The environment the MCP servers are configured from. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningJamie {
  url: string;
  server: Server;
  toolbox: McpToolbox;
  memory: VectorMemory;
  bus: EventBus;
  live: LiveEvents;
  close(): Promise<void>;
}

/**
 * Everything Jamie needs, from settings: the database (migrations, conversations, the embedded
 * memory), the audit store, the event bus (live pages, incident summaries into memory), the
 * read-only MCP toolbox, Scarlet's API, the assistant, sign-in, and the HTTP server with the pages.
 */
export async function bootJamie(o: JamieBootOptions): Promise<RunningJamie> {
  const { config, log } = o;
  await runMigrations({ databaseUrl: o.databaseUrl, log });
  await migrateJamie(o.databaseUrl, log);
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 8, application_name: "jamie" });
  pool.on("error", (e) => log.warn({ err: e }, "postgres pool client failed"));
  const audit = new PgAuditStore(o.databaseUrl, log.child({ component: "audit" }));
  const bus = createEventBus({ databaseUrl: o.databaseUrl, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), service: "jamie", log });
  await bus.connect();

  const setup = config.kubeconfig ? clustersFromKubeconfig(config.kubeconfig) : await clustersFromSandbox(config.urls.sandbox, { waitMs: 60_000, identity: "jamie" });
  const env = o.env ?? process.env;
  const mcp = await mcpConfigFor(setup, env);
  // Agent "jamie": the toolbox offers read tools only; a change goes to Scarlet as a proposal.
  const toolbox = await createMcpToolbox({ agent: "jamie", config: mcp, audit, log });

  const memory = await openMemory({ config: { ...config, database: { ...config.database, url: o.databaseUrl } }, log: log.child({ component: "memory" }), pool });
  const unsubscribeSummaries = await rememberIncidentSummaries(bus, memory, log.child({ component: "memory" }));
  const scarlet = createScarletClient({ baseUrl: config.urls.scarlet, log: log.child({ component: "scarlet-client" }), proposerToken: o.approverToken });
  const model = config.llm.provider === "none" ? undefined : jamieChatModel(config.llm);
  const assistant = createAssistant({
    toolbox,
    scarlet,
    recall: async (query, userId) => (await memory.recall(query, { userId, limit: 5, minScore: 0.2 })).map((h) => ({ text: h.record.text, score: h.score, kind: h.record.kind, metadata: h.record.metadata })),
    ...(model ? { model } : {}),
    ...(config.github.repository ? { githubRepo: config.github.repository } : {}),
    log,
  });

  const users = await UserDirectory.fromConfig(config.portal, config.nodeEnv);
  const sessions = new Sessions(o.sessionSecret, { secure: config.urls.jamie.startsWith("https://"), apiKey: o.apiKey });
  const live = new LiveEvents(log.child({ component: "live" }));
  await live.start(bus);
  // Slack, when SLACK_BOT_TOKEN is set: the same assistant, memory and Scarlet client; its HTTP endpoints join the routes.
  const slack = await startSlack({ config, env, scarlet, approverToken: o.approverToken, assistant, conversations: new ConversationStore(pool), memory, users, bus, audit, pool, log });
  const promUrl = config.telemetry.prometheusUrl?.split(",")[0]?.replace(/^[\w-]+=/, "");
  // Without Prometheus, the sandbox's own /metrics feed the incident charts (a real cluster's setup has no scrape targets).
  const recorder = !promUrl && setup.scrape.length > 0 ? new TelemetryRecorder({ clusters: setup.scrape, log: log.child({ component: "telemetry-recorder" }) }) : undefined;
  recorder?.start();
  const metrics: IncidentCharts | undefined = promUrl
    ? { source: "prometheus", read: (i: Incident) => incidentMetrics(promUrl, i, new Date()) }
    : recorder
      ? { source: "sandbox-telemetry", read: async (i: Incident) => recorder.metricsFor(i) }
      : undefined;
  const routes = [
    ...authRoutes({ users, sessions, loginLimiter: new RateLimiter({ perMinute: 10, burst: 10 }) }),
    ...chatRoutes({ assistant, conversations: new ConversationStore(pool), limiter: new RateLimiter({ perMinute: 30, burst: 10 }), audit, memory, log }),
    ...scarletRoutes({ scarlet, approverToken: o.approverToken, audit, ...(metrics ? { metrics } : {}), log }),
    ...estateAuditRoutes({ estate: () => readEstate(toolbox, log), audit, log }),
    ...reportRoutes({ report: (range, now) => operationsReport(pool, range, now), audit, log }),
    ...logsRoutes({ tools: toolbox, audit, log: log.child({ component: "logs" }) }),
    live.route(),
    ...(slack?.routes ?? []),
  ];
  const pages = o.pages ? await pagesHandler({ hostname: o.host, port: o.port, log }) : undefined;
  const server = createPortalServer({ routes, sessions, audit, log, ...(pages ? { pages } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const url = `http://${o.host === "0.0.0.0" ? "127.0.0.1" : o.host}:${typeof address === "object" && address ? address.port : o.port}`;
  await audit.append({ actor: "jamie", type: "system.started", data: { url, backend: memory.backend, llm: config.llm.provider } }).catch(() => undefined);
  log.info({ url, memory: memory.backend, llm: config.llm.provider, tools: toolbox.listTools().length, slack: slack?.mode ?? "off" }, "Jamie is listening");

  return {
    url,
    server,
    toolbox,
    memory,
    bus,
    live,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await live.stop();
      await recorder?.stop();
      await slack?.close();
      await unsubscribeSummaries().catch(() => undefined);
      await toolbox.close().catch(() => undefined);
      await memory.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await audit.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
