import { createServer } from "node:net";
import type { EnvVarName } from "../../packages/shared/src/config/env-schema.js";
import { describePortHolder } from "./processes.js";

/** Whether the ports the components will listen on are free, checked before anything starts. */

export interface PortClaim {
  component: string;
  port: number;
  host: string;
  variable: EnvVarName;
}

export interface PortConflict extends PortClaim {
  /** "in use by pid 123 (postgres -D …)", "in use", "not allowed (EACCES)". */
  problem: string;
}

/** The claims whose port cannot be bound now, each with what holds it when /proc can tell. */
export async function findPortConflicts(claims: PortClaim[]): Promise<PortConflict[]> {
  const conflicts: PortConflict[] = [];
  for (const claim of claims) {
    const code = await tryListen(claim.port, claim.host);
    if (code === undefined) continue;
    if (code === "EADDRINUSE") {
      const holder = describePortHolder(claim.port);
      conflicts.push({ ...claim, problem: holder ? `in use by ${holder}` : "in use by another program" });
    } else {
      conflicts.push({ ...claim, problem: `not available (${code})` });
    }
  }
  return conflicts;
}

/** The sentence a person reads for one conflict. */
export function describeConflict(c: PortConflict): string {
  return `Port ${c.port} on ${c.host} (${c.variable}, for ${c.component}) is ${c.problem}. Stop that program or set ${c.variable} to a free port.`;
}

/** Binds and releases the port; returns the error code when that fails. */
function tryListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
