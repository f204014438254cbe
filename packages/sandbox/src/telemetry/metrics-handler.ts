import type { IncomingMessage, ServerResponse } from "node:http";
import { EXPOSITION_CONTENT_TYPE } from "./exposition-format.js";
import type { ClusterTelemetry } from "./metrics-exposition.js";

/**
 * `GET /metrics` for one cluster's API server: the cluster's exposition at the time of the
 * request. `now` is injected so the server's clock is the one the rest of the sandbox uses.
 */
export function telemetryMetricsHandler(telemetry: Pick<ClusterTelemetry, "render">, now: () => Date) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const body = telemetry.render(now());
    res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
}
