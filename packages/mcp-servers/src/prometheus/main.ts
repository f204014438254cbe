import { runServerCli } from "../core/server-cli.js";
import { upstreamsFromEnv } from "../upstream/from-env.js";
import { prometheusServer } from "./server.js";

// PROMETHEUS_URL (a URL, or name=URL,… for one Prometheus per cluster), PROMETHEUS_TOKEN or
// PROMETHEUS_TOKEN_FILE, PROMETHEUS_CA_FILE, PROMETHEUS_TIMEOUT_MS.
await runServerCli(async () => prometheusServer({ upstreams: await upstreamsFromEnv("PROMETHEUS", process.env) }));
