import { err, ok, type Result } from "@autodevops/shared";

/**
 * The subset of LogQL the sandbox answers: a stream selector followed by line filters.
 * Metric queries (`rate(...)`), parsers (`| json`) and label filters are refused with a parse
 * error, as Loki's 400 body would phrase it. Regular expressions are RE2 approximated by JS
 * RegExp; label regexes match the whole value, line regexes any part of the line.
 */

export type MatchOp = "=" | "!=" | "=~" | "!~";
export type FilterOp = "|=" | "!=" | "|~" | "!~";

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
  /** Compiled, fully anchored, for `=~` and `!~`. */
  re?: RegExp;
}

export interface LineFilter {
  op: FilterOp;
  value: string;
  /** Compiled, unanchored, for `|~` and `!~`. */
  re?: RegExp;
}

export interface LogQuery {
  matchers: LabelMatcher[];
  filters: LineFilter[];
}

/** Does a stream with these labels match every matcher? A missing label reads as "". */
export function matchesSelector(matchers: readonly LabelMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => matchesLabel(m, labels[m.label] ?? ""));
}

export function matchesLabel(m: LabelMatcher, value: string): boolean {
  switch (m.op) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
      return (m.re as RegExp).test(value);
    case "!~":
      return !(m.re as RegExp).test(value);
  }
}

/** Does a line pass every filter? */
export function passesFilters(filters: readonly LineFilter[], line: string): boolean {
  return filters.every((f) => {
    switch (f.op) {
      case "|=":
        return line.includes(f.value);
      case "!=":
        return !line.includes(f.value);
      case "|~":
        return (f.re as RegExp).test(line);
      case "!~":
        return !(f.re as RegExp).test(line);
    }
  });
}

/** Compiles an RE2-style pattern; a leading `(?flags)` group of i/s/m becomes JS flags. */
export function compileRegex(pattern: string, anchored: boolean): RegExp | string {
  let body = pattern;
  let flags = "";
  const lead = /^\(\?([ims]+)\)/.exec(body);
  if (lead?.[1]) {
    flags = [...new Set(lead[1])].join("");
    body = body.slice(lead[0].length);
  }
  try {
    return new RegExp(anchored ? `^(?:${body})$` : body, flags);
  } catch (e) {
    return `error parsing regexp: ${(e as Error).message}`;
  }
}

const IDENT = /[a-zA-Z_][a-zA-Z0-9_]*/y;

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string, at = this.pos): Result<never, string> {
    const before = this.src.slice(0, at);
    const line = before.split("\n").length;
    const col = at - (before.lastIndexOf("\n") + 1) + 1;
    return err(`parse error at line ${line}, col ${col}: ${message}`);
  }

  unexpected(expecting?: string): Result<never, string> {
    const tail = expecting ? `, expecting ${expecting}` : "";
    return this.fail(`syntax error: unexpected ${this.describe()}${tail}`);
  }

  describe(): string {
    if (this.pos >= this.src.length) return "end of input";
    IDENT.lastIndex = this.pos;
    const id = IDENT.exec(this.src);
    if (id) return `IDENTIFIER ${id[0]}`;
    return this.src[this.pos] as string;
  }

  skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] as string)) this.pos++;
  }

  eat(token: string): boolean {
    if (this.src.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  ident(): string | undefined {
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.src);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** A Go string literal: "..." with escapes, or `...` raw. */
  string(): Result<string, string> | undefined {
    const start = this.pos;
    const q = this.src[this.pos];
    if (q === "`") {
      const end = this.src.indexOf("`", this.pos + 1);
      if (end < 0) return this.fail("literal not terminated", start);
      this.pos = end + 1;
      return ok(this.src.slice(start + 1, end));
    }
    if (q !== '"') return undefined;
    let out = "";
    let i = this.pos + 1;
    while (i < this.src.length) {
      const c = this.src[i] as string;
      if (c === '"') {
        this.pos = i + 1;
        return ok(out);
      }
      if (c === "\n") break;
      if (c === "\\") {
        const n = this.src[i + 1];
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", "'": "'", a: "\x07", b: "\b", f: "\f", v: "\v" };
        if (n !== undefined && simple[n] !== undefined) {
          out += simple[n];
          i += 2;
          continue;
        }
        const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(this.src.slice(i + 1));
        if (hex) {
          out += String.fromCodePoint(parseInt((hex[1] ?? hex[2] ?? hex[3]) as string, 16));
          i += 1 + hex[0].length;
          continue;
        }
        return this.fail("invalid syntax: unknown escape sequence in string literal", i);
      }
      out += c;
      i++;
    }
    return this.fail("literal not terminated", start);
  }
}

const MATCH_OPS: readonly MatchOp[] = ["=~", "!~", "!=", "="];
const FILTER_OPS: readonly FilterOp[] = ["|=", "!=", "|~", "!~"];

/** Parses a log query; the error is the plain-text body of Loki's 400. */
export function parseLogQuery(query: string): Result<LogQuery, string> {
  const p = new Parser(query);
  p.skipSpace();
  if (p.pos >= query.length) return p.fail("syntax error: unexpected end of input");
  if (!p.eat("{")) {
    const at = p.pos;
    const name = p.ident();
    p.skipSpace();
    if (name && query[p.pos] === "(") {
      return p.fail(`metric queries (${name}) are not supported by the sandbox's Loki; only log queries are`, at);
    }
    p.pos = at;
    return p.unexpected("{");
  }

  const matchers: LabelMatcher[] = [];
  for (;;) {
    p.skipSpace();
    const label = p.ident();
    if (!label) return p.unexpected("IDENTIFIER");
    p.skipSpace();
    const op = MATCH_OPS.find((o) => p.eat(o));
    if (!op) return p.unexpected("=, !=, =~ or !~");
    p.skipSpace();
    const valueAt = p.pos;
    const value = p.string();
    if (!value) return p.unexpected("STRING");
    if (!value.ok) return value;
    const m: LabelMatcher = { label, op, value: value.value };
    if (op === "=~" || op === "!~") {
      const re = compileRegex(value.value, true);
      if (typeof re === "string") return p.fail(re, valueAt);
      m.re = re;
    }
    matchers.push(m);
    p.skipSpace();
    if (p.eat(",")) continue;
    if (p.eat("}")) break;
    return p.unexpected(", or }");
  }
  if (!matchers.some((m) => (m.op === "=" || m.op === "=~") && !matchesLabel(m, ""))) {
    return err(
      "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. " +
        'For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    );
  }

  const filters: LineFilter[] = [];
  for (;;) {
    p.skipSpace();
    if (p.pos >= query.length) break;
    const op = FILTER_OPS.find((o) => p.eat(o));
    if (!op) {
      if (query[p.pos] === "|") {
        const pipeAt = p.pos++;
        p.skipSpace();
        const stage = p.ident();
        return p.fail(`the sandbox's Loki supports only line filters (|=, !=, |~, !~), not the pipeline stage ${stage ?? query[p.pos] ?? "|"}`, pipeAt);
      }
      return p.unexpected();
    }
    p.skipSpace();
    const valueAt = p.pos;
    const value = p.string();
    if (!value) return p.unexpected("STRING");
    if (!value.ok) return value;
    const f: LineFilter = { op, value: value.value };
    if (op === "|~" || op === "!~") {
      const re = compileRegex(value.value, false);
      if (typeof re === "string") return p.fail(re, valueAt);
      f.re = re;
    }
    filters.push(f);
  }
  return ok({ matchers, filters });
}
