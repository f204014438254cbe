import { runServerCli } from "../core/server-cli.js";
import { upstreamsFromEnv } from "../upstream/from-env.js";
import { lokiServer } from "./server.js";

// LOKI_URL (a URL, or name=URL,… for one Loki per cluster), LOKI_TOKEN or LOKI_TOKEN_FILE,
// LOKI_CA_FILE (a private CA, as the sandbox's API servers use), LOKI_TIMEOUT_MS.
await runServerCli(async () => lokiServer({ upstreams: await upstreamsFromEnv("LOKI", process.env) }));
