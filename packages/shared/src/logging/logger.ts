import { pino, type Logger, type LoggerOptions } from "pino";

/** The field names whose values never reach a log line, at any of the first three levels. */
const SECRET_KEYS = [
  "token",
  "accessToken",
  "apiKey",
  "api_key",
  "password",
  "secret",
  "signingSecret",
  "authorization",
  "Authorization",
  "cookie",
  "set-cookie",
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const dot = k.startsWith("[") ? "" : ".";
    paths.push(k, `*${dot}${k}`, `*.*${dot}${k}`);
  }
  // Request/response headers as pino-http and undici lay them out.
  paths.push("req.headers.authorization", "req.headers.cookie", "headers.authorization", "headers.cookie");
  return paths;
}

/** Matches credentials embedded in connection strings (postgres://user:pass@host). */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi;

/** Removes the password part of any URL in a string, for messages that quote connection strings. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1[Redacted]@");
}

export interface LoggerSettings {
  /** Component name, written as `service` on every line. */
  service: string;
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/** A pino logger writing JSON lines, with tokens, passwords and authorization headers redacted. */
export function createLogger({ service, level = "info", destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: "[Redacted]" },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      // A message may quote a connection string; strip its password before it is written.
      logMethod(args, method) {
        const redacted = args.map((a) => (typeof a === "string" ? redactUrlCredentials(a) : a));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export type { Logger };
