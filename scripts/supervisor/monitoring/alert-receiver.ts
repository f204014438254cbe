import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AlertmanagerWebhook, type WebhookAlert } from "../../../packages/shared/src/domain/alertmanager-webhook.js";

/**
 * A stand-in for Scarlet's `POST /alerts` until Scarlet exists: it takes Alertmanager's webhook
 * (payload version 4) with the bearer token Alertmanager is configured with, logs one line per
 * alert and answers 200. Scarlet will validate with the same schema.
 */

const MAX_BODY_BYTES = 1 << 20;

/** The slice of a pino logger the receiver writes to. */
export interface ReceiverLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface AlertReceiverOptions {
  token: string;
  log: ReceiverLog;
  /** Called with each accepted notification (the tests collect them). */
  onNotification?: (n: AlertmanagerWebhook) => void;
}

/** "firing KubePodCrashLooping prod/shop pod cart-5d8f-x2x9z (Deployment cart)": what one alert is about, on one line. */
export function describeAlert(a: WebhookAlert): string {
  const l = a.labels;
  const where = [l.cluster ?? "?", l.namespace].filter((x) => x !== undefined && x !== "").join("/");
  const subject = l.pod ? `pod ${l.pod}` : l.node ? `node ${l.node}` : l.service ? `service ${l.service}` : (l.workload ?? l.deployment ?? l.statefulset ?? "");
  const owner = l.workload && !subject.endsWith(l.workload) ? ` (${l.workload_type ?? "workload"} ${l.workload})` : "";
  return `${a.status} ${l.alertname ?? "(no alertname)"} ${where}${subject === "" ? "" : ` ${subject}`}${owner}`;
}

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasBearer(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? "");
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The receiver's HTTP server (not listening yet). */
export function createAlertReceiver(opts: AlertReceiverOptions): Server {
  return createServer((req, res) => {
    void handle(req, res, opts).catch((e: unknown) => {
      opts.log.warn({ err: e }, "alert receiver failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: AlertReceiverOptions): Promise<void> {
  const path = new URL(req.url ?? "/", "http://receiver").pathname;
  if (req.method === "GET" && (path === "/healthz" || path === "/readyz")) return send(res, 200, { status: "ok" });
  if (path !== "/alerts") return send(res, 404, { error: `no route ${req.method} ${path}` });
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return send(res, 405, { error: "POST /alerts only" });
  }
  if (!hasBearer(req.headers.authorization, opts.token)) {
    res.setHeader("www-authenticate", 'Bearer realm="alerts"');
    return send(res, 401, { error: "missing or wrong bearer token" });
  }
  const body = await readBody(req);
  if (body === undefined) return send(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return send(res, 400, { error: "body is not JSON" });
  }
  const parsed = AlertmanagerWebhook.safeParse(json);
  if (!parsed.success) {
    const error = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    opts.log.warn({ error }, "refused an alert notification");
    return send(res, 400, { error });
  }
  for (const alert of parsed.data.alerts) {
    const l = alert.labels;
    opts.log.info({ status: alert.status, alertname: l.alertname, cluster: l.cluster, namespace: l.namespace, severity: l.severity }, describeAlert(alert));
  }
  opts.onNotification?.(parsed.data);
  send(res, 200, { status: "ok", alerts: parsed.data.alerts.length });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The body as text, or undefined when it is too large. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
