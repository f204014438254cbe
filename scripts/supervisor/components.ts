import type { Config } from "../../packages/shared/src/config/config.js";
import type { EnvVarName } from "../../packages/shared/src/config/env-schema.js";
import { ALERTMANAGER, PROMETHEUS, type Program } from "./monitoring/commands.js";

/**
 * The components `npm start` runs, in start order; each waits for the one before it to be
 * ready. A component whose files do not exist yet (it belongs to a later issue) is listed as
 * "not built yet" and skipped, so this registry can name the whole system today.
 */

/** Every component, in start order. */
export const COMPONENT_NAMES = ["postgres", "migrate", "sandbox", "alert-receiver", "alertmanager", "prometheus", "scarlet", "jamie"] as const;
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
  /** A program of the machine's the entry runs; without it the component is skipped and the table says how to install it. */
  program?: Program;
  /** A stand-in: skipped once this repo-relative file (the real component's entry) exists. */
  standsInFor?: string;
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
    watchesSupervisor: true,
  });
  // The simulated clusters first: Scarlet watches them from its first second. The control API is
  // on SANDBOX_PORT; the clusters' Kubernetes APIs on the next two ports (prod, staging).
  specs.push(service("sandbox", "simulated clusters and fault API", "packages/sandbox/src/main.ts", "SANDBOX_PORT", "/healthz", 60_000));
  specs.push(...monitoring(config));
  // /readyz, not /healthz: Scarlet is ready once its database and graph checkpointer are.
  specs.push(service("scarlet", "autonomous operator API", "apps/scarlet/src/main.ts", "SCARLET_PORT", "/readyz", 60_000));
  // Next.js answers / once it has compiled or loaded the app, which can take a while.
  specs.push(service("jamie", "chat portal", "apps/jamie/src/main.ts", "JAMIE_PORT", "/healthz", 180_000));
  return specs;
}

const SCARLET_ENTRY = "apps/scarlet/src/main.ts";

/**
 * Alerting for the sandbox: until Scarlet exists, a receiver on Scarlet's port takes its
 * `POST /alerts`; then Alertmanager (sending there) and Prometheus (scraping both clusters,
 * evaluating deploy/prometheus/rules.yaml, alerting to that Alertmanager). Either is left out
 * when its URL names an external one.
 */
function monitoring(config: Config): ComponentSpec[] {
  const specs: ComponentSpec[] = [
    {
      name: "alert-receiver",
      kind: "service",
      summary: "logs Alertmanager's notifications until Scarlet is built",
      entry: "scripts/supervisor/components/alert-receiver.ts",
      needs: [],
      port: { number: config.ports.scarlet, host: config.bindHost, variable: "SCARLET_PORT" },
      url: `${config.urls.scarlet}/alerts`,
      probe: { kind: "http", url: `${localBase(config.bindHost, config.ports.scarlet)}/readyz` },
      readyWithinMs: 30_000,
      watchesSupervisor: true,
      standsInFor: SCARLET_ENTRY,
    },
  ];
  const program = (name: "alertmanager" | "prometheus", p: Program, variable: EnvVarName, summary: string): ComponentSpec => {
    const base = localBase(config.bindHost, config.ports[name]);
    return {
      name,
      kind: "service",
      summary,
      entry: `scripts/supervisor/components/${name}.ts`,
      needs: name === "prometheus" ? ["deploy/prometheus/rules.yaml"] : [],
      port: { number: config.ports[name], host: config.bindHost, variable },
      url: base,
      probe: { kind: "http", url: `${base}/-/ready` },
      // A first start creates its data directory; Prometheus replays its WAL after a crash.
      readyWithinMs: 60_000,
      watchesSupervisor: true,
      program: p,
    };
  };
  if (config.telemetry.alertmanagerUrl === undefined) {
    specs.push(program("alertmanager", ALERTMANAGER, "ALERTMANAGER_PORT", "routes alerts to Scarlet's POST /alerts"));
  }
  if (config.telemetry.prometheusUrl === undefined) {
    specs.push(program("prometheus", PROMETHEUS, "PROMETHEUS_PORT", "scrapes prod and staging, evaluates the alerting rules"));
  }
  return specs;
}

/** Why a planned component does not run here, if it does not. */
export type Skip = { reason: "not built yet" } | { reason: "not installed"; install: string } | { reason: "replaced" };

/** What the machine has: repo files and programs on PATH. */
export interface Machine {
  fileExists(repoRelative: string): boolean;
  findProgram(program: Program): string | undefined;
}

/** Whether a component can run on this machine, and why not. */
export function skipReason(spec: ComponentSpec, machine: Machine): Skip | undefined {
  if (spec.standsInFor !== undefined && machine.fileExists(spec.standsInFor)) return { reason: "replaced" };
  if (![spec.entry, ...spec.needs].every((f) => machine.fileExists(f))) return { reason: "not built yet" };
  if (spec.program && machine.findProgram(spec.program) === undefined) return { reason: "not installed", install: spec.program.install };
  return undefined;
}
