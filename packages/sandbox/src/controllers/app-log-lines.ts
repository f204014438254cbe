import type { LogLine } from "../runtime/container-logs.js";

/**
 * Plausible log lines for the estate's containers: a few at start, then a steady trickle while
 * they run. Kept apart so that the telemetry work can replace it without touching the kubelet.
 */

type Flavour = "http" | "redis" | "postgres" | "coredns";

function flavourOf(container: string, image: string): Flavour {
  const s = `${container} ${image}`;
  if (/redis/.test(s)) return "redis";
  if (/postgres|-db\b|catalog-db/.test(s)) return "postgres";
  if (/coredns/.test(s)) return "coredns";
  return "http";
}

const PATHS: Record<string, string[]> = {
  frontend: ["/", "/product/OLJCESPC7Z", "/cart", "/static/app.js"],
  checkout: ["/api/checkout", "/api/orders"],
  payments: ["/api/charge", "/api/refund"],
  cart: ["/api/cart", "/api/cart/items"],
  catalog: ["/api/products", "/api/products/OLJCESPC7Z", "/api/categories"],
  "ingress-gateway": ["/", "/api/products", "/cart"],
  "report-gen": ["/api/reports/run"],
};

const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length) % xs.length] as T;

/**
 * One line in the HTTP services' own format (JSON, as their structured logger writes it), for
 * fault symptoms that must read like the service's other lines.
 */
export function appLine(service: string, level: "info" | "warn" | "error", at: Date, msg: string, fields: Record<string, string | number> = {}): string {
  return JSON.stringify({ level, ts: at.toISOString(), msg, ...fields, service });
}

/** What a container prints as it starts. */
export function startupLines(container: string, image: string, port: number | undefined, at: Date): LogLine[] {
  const ts = at.toISOString();
  switch (flavourOf(container, image)) {
    case "redis":
      return [
        { at, text: `1:C ${redisTime(at)} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo` },
        { at, text: `1:M ${redisTime(at)} * Running mode=standalone, port=${port ?? 6379}.` },
        { at, text: `1:M ${redisTime(at)} * Ready to accept connections tcp` },
      ];
    case "postgres":
      return [
        { at, text: `${pgTime(at)} [1] LOG:  starting PostgreSQL 16.3 on x86_64-pc-linux-gnu` },
        { at, text: `${pgTime(at)} [1] LOG:  listening on IPv4 address "0.0.0.0", port ${port ?? 5432}` },
        { at, text: `${pgTime(at)} [1] LOG:  database system is ready to accept connections` },
      ];
    case "coredns":
      return [
        { at, text: ".:53" },
        { at, text: "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5" },
        { at, text: "CoreDNS-1.11.1" },
      ];
    case "http":
      return [
        { at, text: JSON.stringify({ level: "info", ts, msg: "starting", service: container, image }) },
        { at, text: JSON.stringify({ level: "info", ts, msg: "config loaded", service: container }) },
        { at, text: JSON.stringify({ level: "info", ts, msg: `listening on :${port ?? 8080}`, service: container }) },
      ];
  }
}

/** Lines a running container prints between `from` and `to`: about one every two seconds. */
export function runningLines(container: string, image: string, from: Date, to: Date, random: () => number): LogLine[] {
  const span = to.getTime() - from.getTime();
  if (span <= 0) return [];
  const count = Math.floor(span / 2000 + random());
  const lines: LogLine[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(from.getTime() + Math.floor(random() * span));
    lines.push({ at, text: runningLine(container, image, at, random) });
  }
  return lines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function runningLine(container: string, image: string, at: Date, random: () => number): string {
  switch (flavourOf(container, image)) {
    case "redis":
      return random() < 0.5
        ? `1:M ${redisTime(at)} * 100 changes in 300 seconds. Saving...`
        : `1:M ${redisTime(at)} * Background saving terminated with success`;
    case "postgres":
      return random() < 0.5
        ? `${pgTime(at)} [${27 + Math.floor(random() * 40)}] LOG:  checkpoint starting: time`
        : `${pgTime(at)} [${27 + Math.floor(random() * 40)}] LOG:  checkpoint complete: wrote ${Math.floor(random() * 90)} buffers`;
    case "coredns": {
      const svc = pick(["checkout.shop", "cart.shop", "catalog.shop", "payments.shop", "redis-cart.shop"], random);
      return `[INFO] 10.244.${Math.floor(random() * 3)}.${2 + Math.floor(random() * 30)}:${30000 + Math.floor(random() * 30000)} - ${Math.floor(random() * 65535)} "A IN ${svc}.svc.cluster.local. udp 55 false 512" NOERROR qr,aa,rd 110 0.000${100 + Math.floor(random() * 800)}s`;
    }
    case "http": {
      const path = pick(PATHS[container] ?? ["/api/v1/items"], random);
      const method = path.includes("charge") || path.includes("checkout") ? "POST" : "GET";
      return JSON.stringify({
        level: "info",
        ts: at.toISOString(),
        msg: "request completed",
        method,
        path,
        status: 200,
        duration_ms: 3 + Math.floor(random() * 40),
        service: container,
      });
    }
  }
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

function redisTime(d: Date): string {
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}`;
}

function pgTime(d: Date): string {
  return `${d.toISOString().replace("T", " ").replace("Z", "")} UTC`;
}
