import { runServerCli } from "../core/server-cli.js";
import { upstreamsFromEnv } from "../upstream/from-env.js";
import { tempoServer } from "./server.js";

// TEMPO_URL (a URL, or name=URL,… for one Tempo per cluster), TEMPO_TOKEN or TEMPO_TOKEN_FILE,
// TEMPO_CA_FILE (a private CA, as the sandbox's API servers use), TEMPO_TIMEOUT_MS.
await runServerCli(async () => tempoServer({ upstreams: await upstreamsFromEnv("TEMPO", process.env) }));
