import { err, ok, type Result } from "@autodevops/shared";

/**
 * A sanity check of LogQL before it is sent: brackets and quotes balanced, a stream selector
 * present with at least one matcher that cannot match the empty value (Loki refuses a query
 * without one). Loki judges the rest and says what it dislikes in its own 400.
 */

export type LogqlProblem = { offset: number; message: string };

const PAIRS: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
const CLOSERS: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*$/;

export function checkLogql(query: string): Result<void, LogqlProblem> {
  if (query.trim() === "") return err({ offset: 0, message: 'the query is empty; start with a stream selector, e.g. {namespace="shop"}' });
  const balance = checkBalance(query);
  if (!balance.ok) return balance;
  const open = query.indexOf("{");
  if (open === -1) return err({ offset: 0, message: 'no stream selector: a LogQL query needs one in braces, e.g. {namespace="shop", app="cart"} |= "error"' });
  const close = closingBrace(query, open);
  const body = query.slice(open + 1, close);
  if (body.trim() === "") return err({ offset: open, message: 'the stream selector {} is empty: add a matcher, e.g. {namespace="shop"}' });
  const parts = splitMatchers(body);
  let pos = open + 1;
  let nonEmpty = false;
  for (const part of parts) {
    const m = MATCHER.exec(part);
    if (!m) return err({ offset: pos + (part.length - part.trimStart().length), message: `"${part.trim()}" is not a label matcher; write label="value" (or !=, =~, !~)` });
    const value = (m[3] as string).slice(1, -1);
    const op = m[2] as string;
    if ((op === "=" && value !== "") || (op === "=~" && !regexMatchesEmpty(value)) || (op === "!=" && value === "") || (op === "!~" && regexMatchesEmpty(value))) nonEmpty = true;
    pos += part.length + 1;
  }
  if (!nonEmpty) return err({ offset: open, message: 'the stream selector needs at least one matcher that cannot match an empty value (e.g. namespace="shop", not app=~".*")' });
  return ok(undefined);
}

/** The problem with the query's line and a caret under the position. */
export function formatLogqlProblem(query: string, p: LogqlProblem): string {
  const before = query.slice(0, p.offset);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = query.indexOf("\n", p.offset);
  const column = p.offset - lineStart + 1;
  const text = query.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const from = Math.max(0, column - 1 - 60);
  const shown = `${from > 0 ? "…" : ""}${text.slice(from, column - 1 + 60)}`;
  return `malformed LogQL at line ${line}, column ${column}: ${p.message}\n  ${shown}\n  ${" ".repeat(column - 1 - from + (from > 0 ? 1 : 0))}^\nFix the query and call again; it was not sent to Loki.`;
}

function regexMatchesEmpty(source: string): boolean {
  try {
    return new RegExp(`^(?:${source})$`).test("");
  } catch {
    return false;
  }
}

function checkBalance(query: string): Result<void, LogqlProblem> {
  const stack: Array<{ c: string; at: number }> = [];
  for (let i = 0; i < query.length; i++) {
    const c = query[i] as string;
    if (c === '"' || c === "`") {
      const end = stringEnd(query, i);
      if (end === -1) return err({ offset: i, message: `the string opened here with ${c} is never closed` });
      i = end;
    } else if (c in PAIRS) stack.push({ c, at: i });
    else if (c in CLOSERS) {
      const top = stack.pop();
      if (!top) return err({ offset: i, message: `unexpected "${c}": nothing open for it to close` });
      if (top.c !== CLOSERS[c]) return err({ offset: i, message: `"${c}" closes the "${top.c}" opened at column ${top.at + 1}; expected "${PAIRS[top.c]}"` });
    }
  }
  const left = stack.pop();
  if (left) return err({ offset: left.at, message: `"${left.c}" is never closed (add "${PAIRS[left.c]}")` });
  return ok(undefined);
}

/** The index of the quote closing the string opened at `start`, or -1. */
function stringEnd(query: string, start: number): number {
  const q = query[start];
  for (let i = start + 1; i < query.length; i++) {
    if (q === '"' && query[i] === "\\") i++;
    else if (query[i] === q) return i;
  }
  return -1;
}

function closingBrace(query: string, open: number): number {
  for (let i = open + 1; i < query.length; i++) {
    const c = query[i];
    if (c === '"' || c === "`") i = stringEnd(query, i);
    else if (c === "}") return i;
  }
  return query.length;
}

/** The selector's body split at commas outside strings. */
function splitMatchers(body: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === "`") i = stringEnd(body, i);
    else if (c === ",") {
      parts.push(body.slice(from, i));
      from = i + 1;
    }
  }
  const last = body.slice(from);
  if (last.trim() !== "" || parts.length === 0) parts.push(last);
  return parts;
}
