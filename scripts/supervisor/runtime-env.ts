import type { Config } from "../../packages/shared/src/config/config.js";

/** The values the supervisor decides once and hands to every component. */
export interface Runtime {
  databaseUrl: string;
  /** Absolute, so that every component finds the same place whatever its working directory. */
  dataDir: string;
  approverToken: string;
  apiKey: string;
  /** Which credentials were generated for this run rather than given. */
  generated: { approverToken: boolean; apiKey: boolean };
}

/** Fills in the demo credentials CONTRACTS.md §7 asks for when the environment has none. */
export function resolveRuntime(
  config: Config,
  given: { databaseUrl: string; dataDir: string },
  newSecret: () => string,
): Runtime {
  return {
    ...given,
    approverToken: config.auth.approverToken ?? newSecret(),
    apiKey: config.auth.apiKey ?? newSecret(),
    generated: { approverToken: config.auth.approverToken === undefined, apiKey: config.auth.apiKey === undefined },
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
  };
}
