// Demo commands against a running sandbox's control API: inject, list, clear faults; reset.
import { z } from "zod";
import { formatFaults, parseCli, USAGE } from "./faults/cli-args.js";
import type { Fault } from "./faults/fault-model.js";

const Env = z.object({ SANDBOX_URL: z.url().default("http://127.0.0.1:7070") });

const out = (text: string) => process.stdout.write(`${text}\n`);
const fail = (text: string): never => {
  process.stderr.write(`${text}\n`);
  process.exit(1);
};

const env = Env.safeParse(process.env);
if (!env.success) fail(`SANDBOX_URL must be a URL such as http://127.0.0.1:7070`);
const base = (env.data?.SANDBOX_URL ?? "").replace(/\/$/, "");

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
  } catch (e) {
    return fail(`cannot reach the sandbox at ${base} (${(e as Error).message}); is it running? (npm start)`);
  }
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { error: text };
  }
  if (res.status >= 400) fail(`${method} ${path}: ${res.status} ${typeof json.error === "string" ? json.error : text}`);
  return { status: res.status, json };
}

const command = parseCli(process.argv.slice(2));
if (typeof command === "string") fail(`${command}\n\n${USAGE}`);
else {
  switch (command.cmd) {
    case "help":
      out(USAGE);
      break;
    case "fault": {
      const { json } = await call("POST", "/sandbox/faults", command.body);
      const b = command.body;
      out(`injected ${b.kind} on ${b.cluster ?? "prod"}/${b.namespace ? `${b.namespace}/` : ""}${b.target}: id ${String(json.id)}`);
      break;
    }
    case "faults": {
      const { json } = await call("GET", "/sandbox/faults");
      out(formatFaults((json.faults ?? []) as Fault[]));
      break;
    }
    case "cure":
      await call("DELETE", `/sandbox/faults/${encodeURIComponent(command.id)}`);
      out(`cleared fault ${command.id}`);
      break;
    case "reset":
      await call("POST", "/sandbox/reset", {});
      out("sandbox reset: baseline estate, no faults, mutation log cleared");
      break;
  }
}
