import { z } from "zod";
import { err, ok, type Result } from "../core/result.js";
import { redactUrlCredentials } from "../logging/logger.js";
import { ENV_DOCS, envFields, type EnvVarName } from "./env-schema.js";

/** One variable that needs fixing, and what is expected of it. */
export interface ConfigIssue {
  variable: EnvVarName;
  expected: string;
  /** What was given, for non-secret variables only (credentials in URLs removed). */
  received?: string;
}

const EnvSchema = z.object(envFields);
type Env = z.infer<typeof EnvSchema>;

/** The parsed configuration every entry point builds its clients from. */
export interface Config {
  nodeEnv: Env["NODE_ENV"];
  logLevel: Env["LOG_LEVEL"];
  bindHost: string;
  dataDir: string;
  database: { url: string | undefined; embeddedPort: number };
  redisUrl: string | undefined;
  mongodbUri: string | undefined;
  kubeconfig: string | undefined;
  telemetry: {
    prometheusUrl: string | undefined;
    alertmanagerUrl: string | undefined;
    lokiUrl: string | undefined;
    tempoUrl: string | undefined;
  };
  github: { token: string | undefined; repository: string | undefined; apiUrl: string };
  /** The GitOps change path: on when GITOPS_REPO and GITHUB_TOKEN are both set. */
  gitops:
    | { enabled: false }
    | {
        enabled: true;
        repo: string;
        /** Unset: the repository's default branch. */
        branch: string | undefined;
        /** Folder of the manifests; `{cluster}` stands for the cluster's name. "" is the whole repository. */
        path: string;
        /** `namespace/name` or `cluster/namespace/name`. */
        workloads: string[];
        pollMs: number;
        syncTimeoutMs: number;
        postmortems: "pr" | "issue" | "off";
      };
  llm:
    | { provider: "none" }
    | { provider: "ollama"; baseUrl: string; model: string }
    | { provider: "openai"; apiKey: string; baseUrl: string | undefined; model: string };
  slack:
    | { mode: "off" }
    | { mode: "http"; botToken: string; signingSecret: string }
    | { mode: "socket"; botToken: string; appToken: string; signingSecret: string | undefined };
  ports: { sandbox: number; scarlet: number; jamie: number; prometheus: number; alertmanager: number };
  urls: { sandbox: string; scarlet: string; jamie: string };
  auth: { approverToken: string | undefined; apiKey: string | undefined; alertsToken: string | undefined };
  /** Scarlet's replicas: off, or one leader per cluster through a Lease (replicaId unset: main.ts names it). */
  scarletLeaderElection: { enabled: boolean; replicaId: string | undefined; leaseName: string; leaseNamespace: string; leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  /** The portal's sign-in: users (unset: demo users with `demoPassword`) and the session key. */
  portal: { users: { name: string; role: "viewer" | "approver" | "admin"; passwordHash: string }[] | undefined; demoPassword: string | undefined; sessionSecret: string | undefined };
}

/** Empty values count as unset: env files and orchestrators often write `NAME=`. */
function pickEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {};
  for (const name of Object.keys(ENV_DOCS)) {
    const value = env[name];
    picked[name] = value === undefined || value.trim() === "" ? undefined : value.trim();
  }
  return picked;
}

function describeReceived(name: EnvVarName, raw: string | undefined): string | undefined {
  if (raw === undefined || ENV_DOCS[name].secret) return undefined;
  const shown = redactUrlCredentials(raw);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

/** Rules that involve more than one variable. */
function crossChecks(e: Env): Array<Omit<ConfigIssue, "received">> {
  const issues: Array<Omit<ConfigIssue, "received">> = [];
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    issues.push({ variable: "SLACK_SIGNING_SECRET", expected: "required when SLACK_BOT_TOKEN is set (or set SLACK_APP_TOKEN for Socket Mode)" });
  }
  for (const name of ["SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"] as const) {
    if (e[name] && !e.SLACK_BOT_TOKEN) issues.push({ variable: name, expected: "only meaningful with SLACK_BOT_TOKEN, which is unset" });
  }
  if (e.GITOPS_REPO && !e.GITHUB_TOKEN) issues.push({ variable: "GITHUB_TOKEN", expected: "required when GITOPS_REPO is set (a token that can push branches and open pull requests there)" });
  if (e.NODE_ENV === "production") {
    const required = ["DATABASE_URL", "AUTODEVOPS_APPROVER_TOKEN", "AUTODEVOPS_API_KEY"] as const;
    for (const name of required) {
      if (!e[name]) issues.push({ variable: name, expected: "required when NODE_ENV=production (no embedded or generated default)" });
    }
  }
  const ports: Array<[EnvVarName, number]> = [
    ["SANDBOX_PORT", e.SANDBOX_PORT],
    ["SCARLET_PORT", e.SCARLET_PORT],
    ["JAMIE_PORT", e.JAMIE_PORT],
  ];
  // npm start runs its own Prometheus and Alertmanager only where no external one is named.
  if (!e.PROMETHEUS_URL) ports.push(["PROMETHEUS_PORT", e.PROMETHEUS_PORT]);
  if (!e.ALERTMANAGER_URL) ports.push(["ALERTMANAGER_PORT", e.ALERTMANAGER_PORT]);
  if (!e.DATABASE_URL) ports.push(["EMBEDDED_PG_PORT", e.EMBEDDED_PG_PORT]);
  // client-go's rule: a leader must stop acting before others may take its lease, and retry within that window.
  if (e.SCARLET_LEASE_RENEW_DEADLINE_SECONDS >= e.SCARLET_LEASE_DURATION_SECONDS) {
    issues.push({ variable: "SCARLET_LEASE_RENEW_DEADLINE_SECONDS", expected: `less than SCARLET_LEASE_DURATION_SECONDS (${e.SCARLET_LEASE_DURATION_SECONDS})` });
  }
  if (e.SCARLET_LEASE_RETRY_PERIOD_SECONDS >= e.SCARLET_LEASE_RENEW_DEADLINE_SECONDS) {
    issues.push({ variable: "SCARLET_LEASE_RETRY_PERIOD_SECONDS", expected: `less than SCARLET_LEASE_RENEW_DEADLINE_SECONDS (${e.SCARLET_LEASE_RENEW_DEADLINE_SECONDS})` });
  }
  const seen = new Map<number, EnvVarName>();
  for (const [name, value] of ports) {
    const other = seen.get(value);
    if (other) issues.push({ variable: name, expected: `a port other than ${value}, which ${other} already uses` });
    seen.set(value, name);
  }
  return issues;
}

function toConfig(e: Env): Config {
  const local = (p: number) => `http://${e.BIND_HOST === "0.0.0.0" ? "127.0.0.1" : e.BIND_HOST}:${p}`;
  const llm: Config["llm"] = e.OPENAI_API_KEY
    ? { provider: "openai", apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL }
    : e.OLLAMA_BASE_URL
      ? { provider: "ollama", baseUrl: e.OLLAMA_BASE_URL, model: e.OLLAMA_MODEL }
      : { provider: "none" };
  const slack: Config["slack"] = !e.SLACK_BOT_TOKEN
    ? { mode: "off" }
    : e.SLACK_APP_TOKEN
      ? { mode: "socket", botToken: e.SLACK_BOT_TOKEN, appToken: e.SLACK_APP_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET }
      : { mode: "http", botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET ?? "" };
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    bindHost: e.BIND_HOST,
    dataDir: e.DATA_DIR,
    database: { url: e.DATABASE_URL, embeddedPort: e.EMBEDDED_PG_PORT },
    redisUrl: e.REDIS_URL,
    mongodbUri: e.MONGODB_URI,
    kubeconfig: e.KUBECONFIG,
    telemetry: {
      prometheusUrl: e.PROMETHEUS_URL,
      alertmanagerUrl: e.ALERTMANAGER_URL,
      lokiUrl: e.LOKI_URL,
      tempoUrl: e.TEMPO_URL,
    },
    github: { token: e.GITHUB_TOKEN, repository: e.GITHUB_REPOSITORY, apiUrl: e.GITHUB_API_URL },
    gitops:
      e.GITOPS_REPO && e.GITHUB_TOKEN
        ? {
            enabled: true,
            repo: e.GITOPS_REPO,
            branch: e.GITOPS_BRANCH,
            path: e.GITOPS_PATH ?? "",
            workloads: e.GITOPS_WORKLOADS?.split(",") ?? [],
            pollMs: e.GITOPS_POLL_SECONDS * 1000,
            syncTimeoutMs: e.GITOPS_SYNC_TIMEOUT_SECONDS * 1000,
            postmortems: e.GITOPS_POSTMORTEMS,
          }
        : { enabled: false },
    llm,
    slack,
    ports: { sandbox: e.SANDBOX_PORT, scarlet: e.SCARLET_PORT, jamie: e.JAMIE_PORT, prometheus: e.PROMETHEUS_PORT, alertmanager: e.ALERTMANAGER_PORT },
    urls: {
      sandbox: e.SANDBOX_URL ?? local(e.SANDBOX_PORT),
      scarlet: e.SCARLET_URL ?? local(e.SCARLET_PORT),
      jamie: e.JAMIE_URL ?? local(e.JAMIE_PORT),
    },
    auth: { approverToken: e.AUTODEVOPS_APPROVER_TOKEN, apiKey: e.AUTODEVOPS_API_KEY, alertsToken: e.AUTODEVOPS_ALERTS_TOKEN },
    scarletLeaderElection: {
      enabled: e.SCARLET_LEADER_ELECTION === "true",
      replicaId: e.SCARLET_REPLICA_ID,
      leaseName: e.SCARLET_LEASE_NAME,
      leaseNamespace: e.SCARLET_LEASE_NAMESPACE,
      leaseDurationMs: e.SCARLET_LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: e.SCARLET_LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: e.SCARLET_LEASE_RETRY_PERIOD_SECONDS * 1000,
    },
    portal: {
      users: e.JAMIE_USERS?.split(",").map((entry) => {
        const [name = "", role = "viewer", ...hash] = entry.split(":");
        return { name, role: role as "viewer" | "approver" | "admin", passwordHash: hash.join(":") };
      }),
      demoPassword: e.JAMIE_DEMO_PASSWORD,
      sessionSecret: e.JAMIE_SESSION_SECRET,
    },
  };
}

/** Parses the environment; on failure lists every variable that needs fixing, not only the first. */
export function parseConfig(env: Record<string, string | undefined>): Result<Config, ConfigIssue[]> {
  const raw = pickEnv(env);
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = new Map<EnvVarName, ConfigIssue>();
    for (const issue of parsed.error.issues) {
      const variable = issue.path[0] as EnvVarName;
      if (!issues.has(variable)) {
        issues.set(variable, { variable, expected: issue.message, received: describeReceived(variable, raw[variable]) });
      }
    }
    return err([...issues.values()]);
  }
  const cross = crossChecks(parsed.data);
  if (cross.length > 0) return err(cross);
  return ok(toConfig(parsed.data));
}

/** The one message a person reads when the process refuses to start. */
export function formatConfigIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => {
    const got = i.received === undefined ? "" : ` (got "${i.received}")`;
    return `  - ${i.variable}: ${i.expected}${got}`;
  });
  const noun = issues.length === 1 ? "variable needs" : "variables need";
  return `Invalid configuration: ${issues.length} environment ${noun} fixing:\n${lines.join("\n")}`;
}

/** Thrown by `loadConfig`; entry points print `message` and exit. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(formatConfigIssues(issues));
    this.name = "ConfigError";
  }
}

/** Parses once at start; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = parseConfig(env);
  if (!result.ok) throw new ConfigError(result.error);
  return result.value;
}

/** For a process's entry point: the config, or the message naming every bad variable on stderr and exit 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

/** A copy safe to log: secrets replaced by "set" / unset, URL passwords removed. */
export function describeConfig(config: Config, rawEnv: Record<string, string | undefined>): Record<string, string> {
  const env = pickEnv(rawEnv);
  const out: Record<string, string> = {};
  for (const [name, doc] of Object.entries(ENV_DOCS)) {
    const value = env[name];
    if (value === undefined) continue;
    out[name] = doc.secret ? "[set]" : redactUrlCredentials(value);
  }
  out.database = config.database.url ? "external" : "embedded";
  out.llm = config.llm.provider;
  out.slack = config.slack.mode;
  return out;
}
