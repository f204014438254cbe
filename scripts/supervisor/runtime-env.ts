import type { Config } from "../../packages/shared/src/config/config.js";

/** The values the supervisor decides once and hands to every component. */
export interface Runtime {
  databaseUrl: string;
  /** Absolute, so that every component finds the same place whatever its working directory. */
  dataDir: string;
  approverToken: string;
  apiKey: string;
  /** The bearer token Alertmanager sends to Scarlet's `POST /alerts` (or its stand-in). */
  alertsToken: string;
  /** The portal's demo users' password; undefined when JAMIE_USERS names the users. */
  demoPassword: string | undefined;
  /** Which credentials were generated for this run rather than given. */
  generated: { approverToken: boolean; apiKey: boolean; demoPassword: boolean };
  /** Where Prometheus and Alertmanager answer this run (the ones npm start runs, or external ones); undefined: none. */
  prometheusUrl: string | undefined;
  alertmanagerUrl: string | undefined;
}

/** Fills in the demo credentials CONTRACTS.md §7 asks for when the environment has none. */
export function resolveRuntime(
  config: Config,
  given: { databaseUrl: string; dataDir: string; prometheusUrl?: string; alertmanagerUrl?: string },
  newSecret: () => string,
): Runtime {
  return {
    databaseUrl: given.databaseUrl,
    dataDir: given.dataDir,
    approverToken: config.auth.approverToken ?? newSecret(),
    apiKey: config.auth.apiKey ?? newSecret(),
    alertsToken: config.auth.alertsToken ?? newSecret(),
    demoPassword: config.portal.users ? undefined : (config.portal.demoPassword ?? newSecret().slice(0, 16)),
    generated: { approverToken: config.auth.approverToken === undefined, apiKey: config.auth.apiKey === undefined, demoPassword: !config.portal.users && config.portal.demoPassword === undefined },
    prometheusUrl: given.prometheusUrl ?? config.telemetry.prometheusUrl,
    alertmanagerUrl: given.alertmanagerUrl ?? config.telemetry.alertmanagerUrl,
  };
}

/** The environment of a component: the supervisor's own, with the resolved values on top. */
export function componentEnv(base: NodeJS.ProcessEnv, config: Config, runtime: Runtime): NodeJS.ProcessEnv {
  return {
    ...base,
    DATA_DIR: runtime.dataDir,
    DATABASE_URL: runtime.databaseUrl,
    EMBEDDED_PG_PORT: String(config.database.embeddedPort),
    LOG_LEVEL: config.logLevel,
    BIND_HOST: config.bindHost,
    SANDBOX_PORT: String(config.ports.sandbox),
    SCARLET_PORT: String(config.ports.scarlet),
    JAMIE_PORT: String(config.ports.jamie),
    SANDBOX_URL: config.urls.sandbox,
    SCARLET_URL: config.urls.scarlet,
    JAMIE_URL: config.urls.jamie,
    AUTODEVOPS_APPROVER_TOKEN: runtime.approverToken,
    AUTODEVOPS_API_KEY: runtime.apiKey,
    AUTODEVOPS_ALERTS_TOKEN: runtime.alertsToken,
    JAMIE_DEMO_PASSWORD: runtime.demoPassword,
    PROMETHEUS_PORT: String(config.ports.prometheus),
    ALERTMANAGER_PORT: String(config.ports.alertmanager),
    // Unset when none runs: Scarlet and Jamie then read the sandbox's telemetry directly.
    PROMETHEUS_URL: runtime.prometheusUrl,
    ALERTMANAGER_URL: runtime.alertmanagerUrl,
  };
}
