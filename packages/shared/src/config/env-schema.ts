import { z } from "zod";
import { parseEndpoints } from "./endpoints.js";

/**
 * Every environment variable the product reads, with its default and what it expects.
 * The README's table is checked against this list by a test, so the two cannot drift.
 */

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const port = (fallback: number) =>
  z.coerce
    .number({ error: "expected a TCP port number" })
    .int("expected a whole port number")
    .min(1, "expected a port between 1 and 65535")
    .max(65535, "expected a port between 1 and 65535")
    .default(fallback);

const url = (schemes: string[], what: string) =>
  z.url({ protocol: new RegExp(`^(${schemes.join("|")})$`), error: `expected ${what}` });

const httpUrl = url(["http", "https"], "an http:// or https:// URL");
/** One URL for every cluster, or `prod=URL,staging=URL`: the form the telemetry backends take. */
const httpEndpoints = (variable: string) =>
  z.string().superRefine((value, ctx) => {
    const parsed = parseEndpoints(value, variable);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
  });
/** Kubernetes object names: a DNS-1123 subdomain, and a label for namespaces. */
const dnsName = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "expected a Kubernetes object name (lowercase letters, digits, - and .)");
const dnsLabel = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a Kubernetes namespace name (lowercase letters, digits and -)");
const secret = (min: number, what: string) => z.string().min(min, `expected ${what} of at least ${min} characters`);

export interface EnvVarDoc {
  description: string;
  /** Never echoed in an error message or a log line. */
  secret: boolean;
  /** The default as a person reads it, or "unset". */
  default: string;
}

/** Documentation of each variable, in the order the README lists them. */
export const ENV_DOCS = {
  NODE_ENV: { description: "`development`, `test` or `production` (production refuses embedded defaults)", secret: false, default: "development" },
  LOG_LEVEL: { description: `pino level: ${LOG_LEVELS.join(", ")}`, secret: false, default: "info" },
  BIND_HOST: { description: "address every server listens on", secret: false, default: "127.0.0.1" },
  DATA_DIR: { description: "where the embedded Postgres and other local state live", secret: false, default: ".data" },
  DATABASE_URL: { description: "Postgres for the audit store, event bus and checkpoints; unset: embedded Postgres", secret: false, default: "unset (embedded)" },
  EMBEDDED_PG_PORT: { description: "port of the embedded Postgres", secret: false, default: "54329" },
  REDIS_URL: { description: "Redis for the event bus and MCP caching; unset: Postgres LISTEN/NOTIFY", secret: false, default: "unset" },
  MONGODB_URI: { description: "MongoDB for Jamie's vector memory; unset: embedded memory", secret: false, default: "unset" },
  KUBECONFIG: { description: "kubeconfig of the real clusters; unset: the sandbox's", secret: false, default: "unset (sandbox)" },
  PROMETHEUS_URL: { description: "Prometheus HTTP API; unset: `npm start` runs one on PROMETHEUS_PORT when installed", secret: false, default: "unset (local, else sandbox telemetry)" },
  ALERTMANAGER_URL: { description: "Alertmanager HTTP API; unset: `npm start` runs one on ALERTMANAGER_PORT when installed", secret: false, default: "unset (local, else none)" },
  LOKI_URL: { description: "Loki HTTP API: one URL, or `prod=URL,staging=URL` per cluster", secret: false, default: "unset (sandbox telemetry)" },
  TEMPO_URL: { description: "Tempo HTTP API: one URL, or `prod=URL,staging=URL` per cluster", secret: false, default: "unset (sandbox telemetry)" },
  PROMETHEUS_TOKEN: { description: "bearer token the MCP server sends to Prometheus", secret: true, default: "unset" },
  PROMETHEUS_TOKEN_FILE: { description: "file holding PROMETHEUS_TOKEN (a mounted Secret)", secret: false, default: "unset" },
  PROMETHEUS_CA_FILE: { description: "PEM of the private CA of an HTTPS Prometheus", secret: false, default: "unset (system CAs)" },
  PROMETHEUS_TIMEOUT_MS: { description: "per-request timeout of the Prometheus MCP server", secret: false, default: "10000" },
  LOKI_TOKEN: { description: "bearer token the MCP server sends to Loki", secret: true, default: "unset" },
  LOKI_TOKEN_FILE: { description: "file holding LOKI_TOKEN (a mounted Secret)", secret: false, default: "unset" },
  LOKI_CA_FILE: { description: "PEM of the private CA of an HTTPS Loki", secret: false, default: "unset (system CAs)" },
  LOKI_TIMEOUT_MS: { description: "per-request timeout of the Loki MCP server", secret: false, default: "10000" },
  TEMPO_TOKEN: { description: "bearer token the MCP server sends to Tempo", secret: true, default: "unset" },
  TEMPO_TOKEN_FILE: { description: "file holding TEMPO_TOKEN (a mounted Secret)", secret: false, default: "unset" },
  TEMPO_CA_FILE: { description: "PEM of the private CA of an HTTPS Tempo", secret: false, default: "unset (system CAs)" },
  TEMPO_TIMEOUT_MS: { description: "per-request timeout of the Tempo MCP server", secret: false, default: "10000" },
  GITHUB_TOKEN: { description: "GitHub token for the GitHub MCP server", secret: true, default: "unset" },
  GITHUB_REPOSITORIES: { description: "`owner/name,…`: the only repositories the GitHub MCP server touches", secret: false, default: "unset (any the token reaches)" },
  GITHUB_REPOSITORY: { description: "`owner/name` of the repository Jamie and Scarlet look at", secret: false, default: "unset" },
  GITHUB_API_URL: { description: "GitHub REST API base (GitHub Enterprise or a stand-in)", secret: false, default: "https://api.github.com" },
  GITOPS_REPO: { description: "`owner/name` of the GitOps repository; with GITHUB_TOKEN, approval-tier changes to GitOps-managed workloads become pull requests there", secret: false, default: "unset (changes are live patches)" },
  GITOPS_BRANCH: { description: "the branch ArgoCD syncs from, which pull requests target", secret: false, default: "the repository's default branch" },
  GITOPS_PATH: { description: "folder of the manifests in the GitOps repository; `{cluster}` stands for the cluster's name", secret: false, default: "the whole repository" },
  GITOPS_WORKLOADS: { description: "`namespace/name` or `cluster/namespace/name`, comma-separated: workloads managed by GitOps besides those carrying an `argocd.argoproj.io/instance` or `argocd.argoproj.io/tracking-id` annotation", secret: false, default: "unset" },
  GITOPS_POLL_SECONDS: { description: "how often Scarlet reads its open pull requests (merged: approved; closed: rejected)", secret: false, default: "15" },
  GITOPS_SYNC_TIMEOUT_SECONDS: { description: "how long after a merge Scarlet waits for the cluster to run the merged manifests before it calls the change failed", secret: false, default: "600" },
  GITOPS_POSTMORTEMS: { description: "`pr`, `issue` or `off`: how an incident's postmortem is filed in the GitOps repository when the incident closes", secret: false, default: "pr" },
  OLLAMA_BASE_URL: { description: "Ollama server; with OPENAI_API_KEY unset, Ollama is the LLM", secret: false, default: "unset (no LLM)" },
  OLLAMA_MODEL: { description: "Ollama model name", secret: false, default: "llama3.1" },
  OPENAI_API_KEY: { description: "OpenAI API key; takes precedence over Ollama", secret: true, default: "unset (no LLM)" },
  OPENAI_BASE_URL: { description: "OpenAI-compatible API base", secret: false, default: "unset (OpenAI)" },
  OPENAI_MODEL: { description: "OpenAI model name", secret: false, default: "gpt-4o-mini" },
  SLACK_BOT_TOKEN: { description: "Slack bot token (`xoxb-…`); unset: no Slack", secret: true, default: "unset" },
  SLACK_SIGNING_SECRET: { description: "Slack signing secret (HTTP mode)", secret: true, default: "unset" },
  SLACK_APP_TOKEN: { description: "Slack app token (`xapp-…`): Socket Mode", secret: true, default: "unset" },
  SLACK_CHANNELS: { description: "where incident notices and approval prompts go: `cluster/namespace=C…,cluster=C…,*=C…` (the most specific match wins)", secret: false, default: "unset (no notices posted)" },
  SLACK_APPROVERS: { description: "Slack users whose Approve/Reject count: `U…=portal-user,…` (that portal user must be an approver or admin)", secret: false, default: "unset (nobody approves from Slack)" },
  SLACK_API_URL: { description: "Slack Web API base (a proxy or a stand-in)", secret: false, default: "https://slack.com/api/" },
  POLICY_PUBLIC_KEY: { description: "Ed25519 public key (PEM, or a path to it) that write tools verify policy decisions with", secret: false, default: "unset (every write refused)" },
  MCP_SERVERS: { description: "JSON of MCP servers for the agents' toolbox (ours in-process or as processes, third-party by command or URL)", secret: false, default: "unset (our five, as configured)" },
  MCP_SERVERS_FILE: { description: "path to a JSON file of the same shape as MCP_SERVERS", secret: false, default: "unset" },
  MCP_HTTP_TOKEN: { description: "bearer token an MCP server started with `--http` requires", secret: true, default: "unset (no auth)" },
  MCP_K8S_CONTEXTS: { description: "`cluster=context,…`: the kubeconfig context the Kubernetes MCP server uses per cluster", secret: false, default: "unset (every context)" },
  SANDBOX_PORT: { description: "sandbox control API port; the prod and staging Kubernetes APIs take the next two", secret: false, default: "7070" },
  SCARLET_PORT: { description: "Scarlet's API port", secret: false, default: "7080" },
  JAMIE_PORT: { description: "Jamie's portal port", secret: false, default: "3000" },
  PROMETHEUS_PORT: { description: "port of the Prometheus `npm start` runs (scraping the sandbox)", secret: false, default: "9090" },
  ALERTMANAGER_PORT: { description: "port of the Alertmanager `npm start` runs (sending to Scarlet's `POST /alerts`)", secret: false, default: "9093" },
  SANDBOX_URL: { description: "sandbox control API as other components reach it", secret: false, default: "http://127.0.0.1:$SANDBOX_PORT" },
  SCARLET_URL: { description: "Scarlet's API as other components reach it", secret: false, default: "http://127.0.0.1:$SCARLET_PORT" },
  SCARLET_LEADER_ELECTION: { description: "`true`: several Scarlet replicas, each working only the clusters whose Lease it holds (one leader per cluster); `false`: this process works every cluster", secret: false, default: "false" },
  SCARLET_REPLICA_ID: { description: "this replica's holder identity on the Leases (unique per replica)", secret: false, default: "hostname-pid" },
  SCARLET_LEASE_NAME: { description: "name of the Lease Scarlet's replicas contend for, in each cluster", secret: false, default: "scarlet-leader" },
  SCARLET_LEASE_NAMESPACE: { description: "namespace of that Lease in each cluster", secret: false, default: "default" },
  SCARLET_LEASE_DURATION_SECONDS: { description: "how long replicas wait, after a leader's last renewal, before taking its Lease", secret: false, default: "15" },
  SCARLET_LEASE_RENEW_DEADLINE_SECONDS: { description: "a leader that could not renew for this long stops acting (less than the lease duration)", secret: false, default: "10" },
  SCARLET_LEASE_RETRY_PERIOD_SECONDS: { description: "how often replicas try to acquire or renew the Lease (less than the renew deadline)", secret: false, default: "2" },
  JAMIE_URL: { description: "Jamie's portal as other components reach it", secret: false, default: "http://127.0.0.1:$JAMIE_PORT" },
  AUTODEVOPS_APPROVER_TOKEN: { description: "an approver's bearer token for Scarlet's approvals API", secret: true, default: "generated and printed at start" },
  AUTODEVOPS_API_KEY: { description: "an API key for Jamie's chat API", secret: true, default: "generated and printed at start" },
  AUTODEVOPS_ALERTS_TOKEN: { description: "bearer token Alertmanager sends to Scarlet's `POST /alerts`, which checks it", secret: true, default: "generated at start" },
  JAMIE_USERS: { description: "portal users, `name:role:scrypt$salt$hash,…` (roles viewer, approver, admin; `npm run hash-password` makes a hash from a password on stdin)", secret: true, default: "unset: demo users admin, approver and viewer" },
  JAMIE_DEMO_PASSWORD: { description: "the demo users' password when JAMIE_USERS is unset", secret: true, default: "generated and printed at start" },
  JAMIE_SESSION_SECRET: { description: "key that signs portal sessions (shared by every Jamie replica)", secret: true, default: "generated per start (sign-ins end at a restart)" },
} as const satisfies Record<string, EnvVarDoc>;

export type EnvVarName = keyof typeof ENV_DOCS;

/** Field schemas; cross-variable rules live in `config.ts`. */
export const envFields = {
  NODE_ENV: z.enum(["development", "test", "production"], { error: "expected development, test or production" }).default("development"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  BIND_HOST: z.union([z.ipv4(), z.ipv6(), z.literal("localhost")], { error: "expected an IP address or localhost" }).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default(".data"),
  DATABASE_URL: url(["postgres", "postgresql"], "a postgres:// or postgresql:// URL").optional(),
  EMBEDDED_PG_PORT: port(54329),
  REDIS_URL: url(["redis", "rediss"], "a redis:// or rediss:// URL").optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, "expected a mongodb:// or mongodb+srv:// URI")
    .optional(),
  KUBECONFIG: z.string().min(1, "expected a path to a kubeconfig file").optional(),
  PROMETHEUS_URL: httpEndpoints("PROMETHEUS_URL").optional(),
  ALERTMANAGER_URL: httpUrl.optional(),
  LOKI_URL: httpEndpoints("LOKI_URL").optional(),
  TEMPO_URL: httpEndpoints("TEMPO_URL").optional(),
  PROMETHEUS_TOKEN: secret(8, "a bearer token").optional(),
  PROMETHEUS_TOKEN_FILE: z.string().min(1, "expected a file path").optional(),
  PROMETHEUS_CA_FILE: z.string().min(1, "expected a file path").optional(),
  PROMETHEUS_TIMEOUT_MS: z.coerce.number({ error: "expected milliseconds" }).int().positive("expected a positive number of milliseconds").optional(),
  LOKI_TOKEN: secret(8, "a bearer token").optional(),
  LOKI_TOKEN_FILE: z.string().min(1, "expected a file path").optional(),
  LOKI_CA_FILE: z.string().min(1, "expected a file path").optional(),
  LOKI_TIMEOUT_MS: z.coerce.number({ error: "expected milliseconds" }).int().positive("expected a positive number of milliseconds").optional(),
  TEMPO_TOKEN: secret(8, "a bearer token").optional(),
  TEMPO_TOKEN_FILE: z.string().min(1, "expected a file path").optional(),
  TEMPO_CA_FILE: z.string().min(1, "expected a file path").optional(),
  TEMPO_TIMEOUT_MS: z.coerce.number({ error: "expected milliseconds" }).int().positive("expected a positive number of milliseconds").optional(),
  GITHUB_TOKEN: secret(10, "a GitHub token").optional(),
  GITHUB_REPOSITORIES: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+(,[\w.-]+\/[\w.-]+)*$/, "expected owner/name,owner/name")
    .optional(),
  GITHUB_REPOSITORY: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name")
    .optional(),
  GITHUB_API_URL: httpUrl.default("https://api.github.com"),
  GITOPS_REPO: z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name")
    .optional(),
  GITOPS_BRANCH: z.string().min(1).max(200).optional(),
  GITOPS_PATH: z
    .string()
    .regex(/^[\w.{}-]+(\/[\w.{}-]+)*$/, "expected a folder inside the repository such as clusters/{cluster} (no leading /, no ..)")
    .refine((p) => !p.split("/").includes(".."), "expected a folder inside the repository (no ..)")
    .optional(),
  GITOPS_WORKLOADS: z
    .string()
    .regex(/^([\w.-]+\/){1,2}[\w.-]+(,([\w.-]+\/){1,2}[\w.-]+)*$/, "expected namespace/name or cluster/namespace/name, comma-separated")
    .optional(),
  GITOPS_POLL_SECONDS: z.coerce.number({ error: "expected seconds" }).positive("expected a positive number of seconds").default(15),
  GITOPS_SYNC_TIMEOUT_SECONDS: z.coerce.number({ error: "expected seconds" }).int("expected whole seconds").positive("expected a positive number of seconds").default(600),
  GITOPS_POSTMORTEMS: z.enum(["pr", "issue", "off"], { error: "expected pr, issue or off" }).default("pr"),
  OLLAMA_BASE_URL: httpUrl.optional(),
  OLLAMA_MODEL: z.string().min(1).default("llama3.1"),
  OPENAI_API_KEY: secret(10, "an OpenAI API key").optional(),
  OPENAI_BASE_URL: httpUrl.optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-\S+$/, "expected a bot token starting with xoxb-").optional(),
  SLACK_SIGNING_SECRET: secret(16, "a Slack signing secret").optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-\S+$/, "expected an app-level token starting with xapp-").optional(),
  // Their structure is checked where they are used (apps/jamie/src/slack/config.ts).
  SLACK_CHANNELS: z.string().optional(),
  SLACK_APPROVERS: z.string().optional(),
  SLACK_API_URL: z.url().optional(),
  POLICY_PUBLIC_KEY: z.string().min(1).optional(),
  MCP_SERVERS: z.string().min(2, "expected JSON").optional(),
  MCP_SERVERS_FILE: z.string().min(1, "expected a file path").optional(),
  MCP_HTTP_TOKEN: secret(16, "a token").optional(),
  MCP_K8S_CONTEXTS: z
    .string()
    .regex(/^[\w.-]+=[^,=]+(,[\w.-]+=[^,=]+)*$/, "expected cluster=context,cluster=context")
    .optional(),
  SANDBOX_PORT: port(7070),
  SCARLET_PORT: port(7080),
  JAMIE_PORT: port(3000),
  PROMETHEUS_PORT: port(9090),
  ALERTMANAGER_PORT: port(9093),
  SANDBOX_URL: httpUrl.optional(),
  SCARLET_URL: httpUrl.optional(),
  SCARLET_LEADER_ELECTION: z.enum(["true", "false"], { error: "expected true or false" }).default("false"),
  SCARLET_REPLICA_ID: z.string().min(1).max(128).optional(),
  SCARLET_LEASE_NAME: dnsName.default("scarlet-leader"),
  SCARLET_LEASE_NAMESPACE: dnsLabel.default("default"),
  SCARLET_LEASE_DURATION_SECONDS: z.coerce.number({ error: "expected seconds" }).int("expected whole seconds").positive("expected a positive number of seconds").default(15),
  SCARLET_LEASE_RENEW_DEADLINE_SECONDS: z.coerce.number({ error: "expected seconds" }).positive("expected a positive number of seconds").default(10),
  SCARLET_LEASE_RETRY_PERIOD_SECONDS: z.coerce.number({ error: "expected seconds" }).positive("expected a positive number of seconds").default(2),
  JAMIE_URL: httpUrl.optional(),
  AUTODEVOPS_APPROVER_TOKEN: secret(16, "a token").optional(),
  AUTODEVOPS_API_KEY: secret(16, "an API key").optional(),
  AUTODEVOPS_ALERTS_TOKEN: secret(16, "a token").optional(),
  JAMIE_USERS: z
    .string()
    .regex(/^[\w.@-]+:(viewer|approver|admin):scrypt\$[\w+/=-]+\$[\w+/=-]+(,[\w.@-]+:(viewer|approver|admin):scrypt\$[\w+/=-]+\$[\w+/=-]+)*$/, "expected name:role:scrypt$salt$hash,… with roles viewer, approver or admin")
    .optional(),
  JAMIE_DEMO_PASSWORD: secret(8, "a password").optional(),
  JAMIE_SESSION_SECRET: secret(32, "a secret").optional(),
} satisfies Record<EnvVarName, z.ZodType>;
