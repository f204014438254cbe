import type { Config } from "../../packages/shared/src/config/config.js";
import type { EnvVarName } from "../../packages/shared/src/config/env-schema.js";

/**
 * The components `npm start` runs, in start order; each waits for the one before it to be
 * ready. A component whose files do not exist yet (it belongs to a later issue) is listed as
 * "not built yet" and skipped, so this registry can name the whole system today.
 */

/** Every component, in start order. */
export const COMPONENT_NAMES = ["postgres", "migrate", "sandbox", "scarlet", "jamie"] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** How the supervisor knows a component is ready. */
export type Probe =
  | { kind: "postgres"; url: string }
  | { kind: "http"; url: string }
  /** A task is ready when it has exited with status 0. */
  | { kind: "exit" };

export interface ComponentSpec {
  name: ComponentName;
  kind: "service" | "task";
  /** What it is, for the table. */
  summary: string;
  /** Repo-relative TypeScript entry, run with `node --import tsx`. */
  entry: string;
  /** Repo-relative files that must exist besides the entry for it to run. */
  needs: string[];
  /** The port it listens on, checked for being free before anything starts. */
  port?: { number: number; host: string; variable: EnvVarName };
  /** Where people and other components reach it, for the table. */
  url?: string;
  probe: Probe;
  readyWithinMs: number;
  /** Our own entries stop themselves when their stdin closes, i.e. when the supervisor dies. */
  watchesSupervisor: boolean;
}

/** Where a server bound to `bindHost` answers locally. */
export function localBase(bindHost: string, port: number): string {
  const host = bindHost === "0.0.0.0" ? "127.0.0.1" : bindHost === "::" ? "::1" : bindHost;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The component list for this configuration; `databaseUrl` is the one every component gets. */
export function planComponents(config: Config, databaseUrl: string): ComponentSpec[] {
  const specs: ComponentSpec[] = [];
  if (config.database.url === undefined) {
    specs.push({
      name: "postgres",
      kind: "service",
      summary: "embedded PostgreSQL (DATABASE_URL is unset)",
      entry: "scripts/supervisor/components/postgres.ts",
      needs: [],
      port: { number: config.database.embeddedPort, host: "127.0.0.1", variable: "EMBEDDED_PG_PORT" },
      probe: { kind: "postgres", url: databaseUrl },
      // A first start runs initdb; a start after a crash replays the WAL.
      readyWithinMs: 60_000,
      watchesSupervisor: true,
    });
  }
  specs.push({
    name: "migrate",
    kind: "task",
    summary: "schema migrations",
    entry: "scripts/supervisor/components/migrate.ts",
    needs: ["packages/shared/src/db/migrations.ts"],
    probe: { kind: "exit" },
    readyWithinMs: 60_000,
    watchesSupervisor: true,
  });
  const service = (
    name: "sandbox" | "scarlet" | "jamie",
    summary: string,
    entry: string,
    variable: EnvVarName,
    healthPath: string,
    readyWithinMs: number,
  ): ComponentSpec => ({
    name,
    kind: "service",
    summary,
    entry,
    needs: [],
    port: { number: config.ports[name], host: config.bindHost, variable },
    url: config.urls[name],
    probe: { kind: "http", url: `${localBase(config.bindHost, config.ports[name])}${healthPath}` },
    readyWithinMs,
    watchesSupervisor: name === "sandbox",
  });
  // The simulated clusters first: Scarlet watches them from its first second. The control API is
  // on SANDBOX_PORT; the clusters' Kubernetes APIs on the next two ports (prod, staging).
  specs.push(service("sandbox", "simulated clusters and fault API", "packages/sandbox/src/main.ts", "SANDBOX_PORT", "/healthz", 60_000));
  // /readyz, not /healthz: Scarlet is ready once its database and graph checkpointer are.
  specs.push(service("scarlet", "autonomous operator API", "apps/scarlet/src/main.ts", "SCARLET_PORT", "/readyz", 60_000));
  // Next.js answers / once it has compiled or loaded the app, which can take a while.
  specs.push(service("jamie", "chat portal", "apps/jamie/src/main.ts", "JAMIE_PORT", "/", 120_000));
  return specs;
}
