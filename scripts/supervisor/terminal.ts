import { namePrefix, NAME_COLOURS, renderLogLine, type Colour } from "./log-format.js";

/** Writes components' lines to the supervisor's stdout, each behind its component's name. */
export interface Terminal {
  readonly color: boolean;
  /** Renders one raw output line (pino JSON or text) of a component. */
  line(name: string, raw: string): void;
}

/** Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org). */
export function wantsColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** A terminal whose name column fits every component name given. */
export function createTerminal(opts: { out: NodeJS.WritableStream; color: boolean; names: string[] }): Terminal {
  const width = Math.max(...opts.names.map((n) => n.length));
  const colours = new Map<string, Colour>(opts.names.map((n, i) => [n, NAME_COLOURS[i % NAME_COLOURS.length] ?? "cyan"]));
  return {
    color: opts.color,
    line(name, raw) {
      const prefix = namePrefix(name, width, colours.get(name) ?? "cyan", opts.color);
      for (const text of renderLogLine(raw, { color: opts.color })) opts.out.write(`${prefix}${text}\n`);
    },
  };
}
