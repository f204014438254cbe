// `npm run bench`: every benchmark in turn; each prints its own table.
import { benchAuditAppend } from "./audit-append.js";
import { benchJamie } from "./jamie.js";
import { benchMcp } from "./mcp.js";
import { benchSandboxApi } from "./sandbox-api.js";
import { benchSandboxTelemetry } from "./sandbox-telemetry.js";
import { benchScarlet } from "./scarlet.js";
import { benchSlack } from "./slack.js";

await benchAuditAppend();
await benchSandboxApi();
await benchSandboxTelemetry();
await benchMcp();
await benchScarlet();
// benchJamie ends with benchJamieMemory (memory recall at 10k and 100k), so it is not run twice.
await benchJamie();
await benchSlack();
