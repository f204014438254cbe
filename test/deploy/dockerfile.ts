/**
 * Reads a Dockerfile into its build stages and instructions, for static checks (no Docker engine
 * runs here). Covers the syntax our Dockerfiles use: parser directives and comments, `\` line
 * continuations, `FROM image [AS name]`, flags such as `--from=`, shell and JSON (exec) forms.
 * No Dockerfile parser package is installed in this repository, hence this reader.
 */

export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuations joined with a space. */
  args: string;
  /** Leading `--name=value` flags (COPY --from=build, HEALTHCHECK --interval=30s). */
  flags: Record<string, string>;
  /** The arguments after the flags: the JSON array's items in exec form, else split on whitespace. */
  words: string[];
  line: number;
}

export interface Stage {
  /** The base: an image reference, or the name of an earlier stage. */
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

function splitFlags(rest: string): { flags: Record<string, string>; body: string } {
  const flags: Record<string, string> = {};
  let body = rest.trim();
  for (let m = /^--([\w-]+)(?:=(\S*))?\s*/.exec(body); m; m = /^--([\w-]+)(?:=(\S*))?\s*/.exec(body)) {
    flags[m[1] ?? ""] = m[2] ?? "";
    body = body.slice(m[0].length);
  }
  return { flags, body };
}

function words(body: string): string[] {
  if (body.startsWith("[")) {
    const parsed: unknown = JSON.parse(body);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed as string[];
  }
  return body.split(/\s+/).filter(Boolean);
}

/** The instructions, in order, each on one logical line. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    // Comments (and parser directives such as `# syntax=`) end nothing: inside a continuation they are dropped.
    if (line.startsWith("#") || (line === "" && !pending)) return;
    const continued = line.endsWith("\\");
    const piece = continued ? line.slice(0, -1).trim() : line;
    pending = pending ? { text: `${pending.text} ${piece}`, line: pending.line } : { text: piece, line: i + 1 };
    if (continued) return;
    const [keyword = "", ...rest] = pending.text.split(/\s+/);
    const args = rest.join(" ");
    const { flags, body } = splitFlags(args);
    // HEALTHCHECK's own command starts with CMD: its words are the command's.
    const upper = keyword.toUpperCase();
    const bodyWords = upper === "HEALTHCHECK" && /^CMD\s/i.test(body) ? words(body.replace(/^CMD\s+/i, "")) : words(body);
    out.push({ keyword: upper, args, flags, words: bodyWords, line: pending.line });
    pending = undefined;
  });
  if (pending) throw new Error(`line ${pending.line}: a continuation runs past the end of the file`);
  return out;
}

/** The build stages; instructions before the first FROM (ARG) are not part of any. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === "FROM") {
      const [base = "", as, name] = ins.words;
      stages.push({ base, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}
