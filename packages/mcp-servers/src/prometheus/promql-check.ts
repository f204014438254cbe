import { parser } from "@prometheus-io/lezer-promql";
import { err, ok, type Result } from "@autodevops/shared";

/** Where a PromQL expression stops parsing, and what a person (or model) should look at. */
export type PromqlProblem = {
  /** 0-based offset into the query. */
  offset: number;
  line: number;
  column: number;
  /** The line with the error and a caret under the position. */
  pointer: string;
  hint: string;
};

const PAIRS: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
const CLOSERS = new Set(Object.values(PAIRS));

/**
 * Parses `query` with Prometheus's own grammar (lezer-promql) and reports the first error node.
 * The grammar is the one Prometheus's UI uses; Prometheus still judges what it does not cover
 * (argument types, an unknown function's name in some positions), and says so in its own error.
 */
export function checkPromql(query: string): Result<void, PromqlProblem> {
  if (query.trim() === "") return err(problemAt(query, 0, "the query is empty"));
  const tree = parser.parse(query);
  let first: { from: number; to: number } | undefined;
  tree.iterate({
    enter: (node) => {
      if (first) return false;
      if (node.type.isError) first = { from: node.from, to: node.to };
      return undefined;
    },
  });
  if (!first) return ok(undefined);
  return err(problemAt(query, first.from, hintFor(query, first.from, first.to)));
}

/** The problem as one message: what is wrong, where, and that nothing was sent. */
export function formatPromqlProblem(p: PromqlProblem): string {
  return `malformed PromQL at line ${p.line}, column ${p.column}: ${p.hint}\n${p.pointer}\nFix the query and call again; it was not sent to Prometheus.`;
}

function problemAt(query: string, offset: number, hint: string): PromqlProblem {
  const before = query.slice(0, offset);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = query.indexOf("\n", offset);
  const text = query.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = offset - lineStart + 1;
  // Long lines: a window of 60 characters either side keeps the caret readable.
  const from = Math.max(0, column - 1 - 60);
  const shown = `${from > 0 ? "…" : ""}${text.slice(from, column - 1 + 60)}${text.length > column - 1 + 60 ? "…" : ""}`;
  const caretAt = column - 1 - from + (from > 0 ? 1 : 0);
  return { offset, line, column, pointer: `  ${shown}\n  ${" ".repeat(caretAt)}^`, hint };
}

function hintFor(query: string, from: number, to: number): string {
  if (from >= query.trimEnd().length) {
    const open = unclosed(query);
    if (open.quote) return `the query ends inside a string: the ${open.quote} opened at character ${open.quoteAt + 1} is never closed`;
    if (open.brackets.length > 0) {
      const closing = [...open.brackets].reverse().map((c) => PAIRS[c]).join("");
      return `the query ends too early: ${open.brackets.map((c) => `"${c}"`).join(", ")} never closed (add "${closing}")`;
    }
    return "the query ends too early: an operand or closing bracket is missing";
  }
  const got = query.slice(from, Math.max(to, from + 1));
  const word = /([A-Za-z_:][\w:]*)\s*$/.exec(query.slice(0, from))?.[1];
  if (got.startsWith("(") && word) return `unexpected "(" after "${word}": "${word}" is not a PromQL function or aggregation`;
  if (got.trim().length === 1 && CLOSERS.has(got.trim())) return `unexpected "${got.trim()}": nothing open for it to close`;
  return `unexpected "${got.length > 40 ? `${got.slice(0, 40)}…` : got}"`;
}

/** Brackets left open at the end (outside string literals), and a string left open. */
function unclosed(query: string): { brackets: string[]; quote: string | undefined; quoteAt: number } {
  const stack: string[] = [];
  let quote: string | undefined;
  let quoteAt = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i] as string;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      quote = c;
      quoteAt = i;
    }
    else if (c === "#") {
      const nl = query.indexOf("\n", i);
      i = nl === -1 ? query.length : nl;
    } else if (c in PAIRS) stack.push(c);
    else if (CLOSERS.has(c) && stack.length > 0 && PAIRS[stack[stack.length - 1] as string] === c) stack.pop();
  }
  return { brackets: stack, quote, quoteAt };
}
