import type { Fault } from "./fault-model.js";

/** What `npm run sandbox -- …` asked for. */
export type CliCommand =
  | { cmd: "fault"; body: { kind: string; cluster?: string; namespace: string; target: string; params: Record<string, string | number> } }
  | { cmd: "faults" }
  | { cmd: "cure"; id: string }
  | { cmd: "reset" }
  | { cmd: "help" };

export const USAGE = `usage: npm run sandbox -- <command>
  fault KIND NAMESPACE/TARGET [--cluster staging] [--param key=value]...   inject a fault (node faults: fault KIND NODE)
  faults                                                                  list faults and whether they are cured
  cure ID                                                                 clear a fault (undoes its effects)
  reset                                                                   baseline estate, no faults, empty mutation log
env: SANDBOX_URL (default http://127.0.0.1:7070)`;

/** Parses the arguments after `--`; a string is the error to print above the usage. */
export function parseCli(argv: readonly string[]): CliCommand | string {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return { cmd: "help" };
    case "faults":
      return rest.length === 0 ? { cmd: "faults" } : `faults takes no arguments`;
    case "reset":
      return rest.length === 0 ? { cmd: "reset" } : `reset takes no arguments`;
    case "cure":
      return rest.length === 1 && rest[0] ? { cmd: "cure", id: rest[0] } : "cure takes one fault id";
    case "fault":
      return parseFault(rest);
    default:
      return `unknown command "${cmd}"`;
  }
}

function parseFault(args: readonly string[]): CliCommand | string {
  const positional: string[] = [];
  const params: Record<string, string | number> = {};
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--cluster" || a === "--param") {
      const v = args[++i];
      if (v === undefined) return `${a} needs a value`;
      if (a === "--cluster") cluster = v;
      else {
        const eq = v.indexOf("=");
        if (eq <= 0) return `--param takes key=value, not "${v}"`;
        const value = v.slice(eq + 1);
        // Numeric params (workingSetMi) arrive as numbers, as the control API expects them.
        params[v.slice(0, eq)] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      }
    } else if (a.startsWith("--")) {
      return `unknown option ${a}`;
    } else positional.push(a);
  }
  const [kind, where] = positional;
  if (!kind || !where || positional.length > 2) return "fault takes a KIND and a NAMESPACE/TARGET (or a node)";
  const slash = where.indexOf("/");
  const namespace = slash === -1 ? "" : where.slice(0, slash);
  const target = slash === -1 ? where : where.slice(slash + 1);
  return { cmd: "fault", body: { kind, ...(cluster ? { cluster } : {}), namespace, target, params } };
}

/** The faults as an aligned table for a terminal. */
export function formatFaults(faults: readonly Fault[]): string {
  if (faults.length === 0) return "no faults";
  const rows = [
    ["ID", "KIND", "CLUSTER", "TARGET", "INJECTED", "CURED", "CURED BY"],
    ...faults.map((f) => [
      f.id,
      f.kind,
      f.cluster,
      f.namespace ? `${f.namespace}/${f.target}` : f.target,
      f.injectedAt,
      f.cured ? (f.curedAt ?? "yes") : "no",
      f.curedBy ?? "",
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}
