import { err, ok, type Result } from "@autodevops/shared";
import type { KubeObject } from "./types.js";

/** A parsed label or field selector: every requirement must hold. */
export type Requirement =
  | { op: "=" | "!="; key: string; values: [string] }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "!exists"; key: string; values: [] };

export interface Selector {
  requirements: Requirement[];
}

export const EVERYTHING: Selector = { requirements: [] };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Splits on commas that are not inside a `(...)` set. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "") terms.push(current.trim());
  return terms;
}

/** Parses a label selector (`app=web,tier!=db,env in (a,b),!legacy,track`) the way the API server does. */
export function parseLabelSelector(text: string | undefined): Result<Selector, string> {
  if (!text || text.trim() === "") return ok(EVERYTHING);
  const requirements: Requirement[] = [];
  for (const term of splitTerms(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      const [, key = "", op, list = ""] = m;
      const values = list.split(",").map((v) => v.trim());
      if (!KEY.test(key) || values.some((v) => !VALUE.test(v))) return err(`invalid label selector term "${term}"`);
      requirements.push({ op: op as "in" | "notin", key, values });
    } else if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      const [, key = "", op, value = ""] = m;
      if (!KEY.test(key) || !VALUE.test(value)) return err(`invalid label selector term "${term}"`);
      requirements.push({ op: op === "!=" ? "!=" : "=", key, values: [value] });
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      const key = m[1] ?? "";
      if (!KEY.test(key)) return err(`invalid label selector term "${term}"`);
      requirements.push({ op: "!exists", key, values: [] });
    } else if (KEY.test(term)) {
      requirements.push({ op: "exists", key: term, values: [] });
    } else {
      return err(`unable to parse requirement: "${term}"`);
    }
  }
  return ok({ requirements });
}

/** Parses a field selector (`metadata.name=x,spec.nodeName!=node-a`); only `=`, `==` and `!=` exist for fields. */
export function parseFieldSelector(text: string | undefined): Result<Selector, string> {
  if (!text || text.trim() === "") return ok(EVERYTHING);
  const requirements: Requirement[] = [];
  for (const term of text.split(",")) {
    const m = /^([A-Za-z0-9.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) return err(`invalid field selector: "${term}"`);
    const [, key = "", op, value = ""] = m;
    requirements.push({ op: op === "!=" ? "!=" : "=", key, values: [value] });
  }
  return ok({ requirements });
}

function matches(req: Requirement, get: (key: string) => string | undefined): boolean {
  const v = get(req.key);
  switch (req.op) {
    case "=":
      return v === req.values[0];
    case "!=":
      return v !== req.values[0];
    case "in":
      return v !== undefined && req.values.includes(v);
    case "notin":
      return v === undefined || !req.values.includes(v);
    case "exists":
      return v !== undefined;
    case "!exists":
      return v === undefined;
  }
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  return selector.requirements.every((r) => matches(r, (k) => labels?.[k]));
}

/** Reads a dotted field path as the API server's field selectors do (missing fields read as ""). */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return "";
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return "";
  return typeof cur === "object" ? JSON.stringify(cur) : String(cur);
}

export function matchesFields(selector: Selector, obj: KubeObject): boolean {
  return selector.requirements.every((r) => matches(r, (k) => fieldValue(obj, k)));
}

/** A label selector as Deployments and Services write it (`matchLabels` / `matchExpressions`). */
export function labelSelectorFromSpec(spec: unknown): Selector {
  const s = (spec ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  };
  const requirements: Requirement[] = Object.entries(s.matchLabels ?? {}).map(([key, value]) => ({ op: "=", key, values: [value] }));
  for (const e of s.matchExpressions ?? []) {
    const op = e.operator === "In" ? "in" : e.operator === "NotIn" ? "notin" : e.operator === "Exists" ? "exists" : "!exists";
    requirements.push(op === "in" || op === "notin" ? { op, key: e.key, values: e.values ?? [] } : { op, key: e.key, values: [] });
  }
  return { requirements };
}
