// `npm run bench`: every benchmark in turn; each prints its own table.
import { benchAuditAppend } from "./audit-append.js";
import { benchJamieMemory } from "./jamie-memory.js";
import { benchMcp } from "./mcp.js";
import { benchSandboxApi } from "./sandbox-api.js";
import { benchSandboxTelemetry } from "./sandbox-telemetry.js";
import { benchScarlet } from "./scarlet.js";

await benchAuditAppend();
await benchSandboxApi();
await benchSandboxTelemetry();
await benchMcp();
await benchScarlet();
await benchJamieMemory();
