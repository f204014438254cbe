import { accessSync, constants } from "node:fs";
import path from "node:path";

/** The Prometheus and Alertmanager programs: where they are, how to install them, how to run them. */

export interface Program {
  /** Names to look for on PATH, in order: Debian's first, then the upstream tarball's. */
  names: string[];
  /** What a person runs when none is found. */
  install: string;
}

export const PROMETHEUS: Program = { names: ["prometheus"], install: "apt-get install prometheus" };
export const ALERTMANAGER: Program = { names: ["prometheus-alertmanager", "alertmanager"], install: "apt-get install prometheus-alertmanager" };

/** The first executable of `program` on `pathVariable`, or undefined. */
export function findProgram(program: Program, pathVariable: string | undefined): string | undefined {
  for (const name of program.names) {
    for (const dir of (pathVariable ?? "").split(path.delimiter).filter(Boolean)) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; next directory
      }
    }
  }
  return undefined;
}

/** Arguments for Prometheus on `listen` (host:port), keeping its data in `dataDir`. */
export function prometheusArgs(opts: { configFile: string; dataDir: string; listen: string; retention: string }): string[] {
  return [
    `--config.file=${opts.configFile}`,
    `--storage.tsdb.path=${opts.dataDir}`,
    `--storage.tsdb.retention.time=${opts.retention}`,
    `--web.listen-address=${opts.listen}`,
  ];
}

/** Arguments for a single Alertmanager on `listen` (host:port): no peers, so no cluster port of its own. */
export function alertmanagerArgs(opts: { configFile: string; dataDir: string; listen: string }): string[] {
  return [
    `--config.file=${opts.configFile}`,
    `--storage.path=${opts.dataDir}`,
    `--web.listen-address=${opts.listen}`,
    "--cluster.listen-address=",
  ];
}
