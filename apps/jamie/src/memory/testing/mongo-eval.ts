import type { Doc } from "./mongo-wire.js";

/**
 * The slice of MongoDB's query language, aggregation stages and expression operators the memory
 * backend uses, evaluated the way the server does (type order, null and missing, out-of-range
 * array access), so a wrong pipeline gives a wrong answer here too. Anything else is refused
 * with the server's error, never ignored. Test support, not shipped code.
 */

/** A server error: code and codeName as a real server sends them. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string) => new CommandError(2, "BadValue", message);

function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === "number") return 2;
  if (typeof v === "string") return 3;
  if (Array.isArray(v)) return 5;
  if (typeof v === "boolean") return 8;
  if (v instanceof Date) return 9;
  if (typeof v === "object") return 4;
  return 10;
}

/** BSON comparison order: null < numbers < strings < objects < arrays < booleans < dates. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0;
}

const equal = (a: unknown, b: unknown) => typeRank(a) === typeRank(b) && compareValues(a, b) === 0;

export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Doc)[part];
  }
  return cur;
}

/** Does one field value satisfy one condition (a literal, or an object of $-operators)? */
function matchCondition(value: unknown, cond: unknown): boolean {
  const isOps = cond !== null && typeof cond === "object" && !Array.isArray(cond) && !(cond instanceof Date) && Object.keys(cond).some((k) => k.startsWith("$"));
  if (!isOps) {
    // Equality: null matches a missing field; an array field matches when one element does.
    if (Array.isArray(value) && !Array.isArray(cond)) return value.some((v) => equal(v, cond));
    return equal(value ?? null, cond ?? null);
  }
  return Object.entries(cond as Doc).every(([op, arg]) => {
    // Range operators only compare within one type, as the server's type bracketing does.
    const sameType = (f: (c: number) => boolean) => value !== undefined && typeRank(value) === typeRank(arg) && f(compareValues(value, arg));
    switch (op) {
      case "$eq":
        return Array.isArray(value) && !Array.isArray(arg) ? value.some((v) => equal(v, arg)) : equal(value ?? null, arg ?? null);
      case "$ne":
        return !matchCondition(value, { $eq: arg });
      case "$in":
        if (!Array.isArray(arg)) throw bad("$in needs an array");
        return arg.some((a) => matchCondition(value, a));
      case "$nin":
        if (!Array.isArray(arg)) throw bad("$nin needs an array");
        return !arg.some((a) => matchCondition(value, a));
      case "$gt":
        return sameType((c) => c > 0);
      case "$gte":
        return sameType((c) => c >= 0);
      case "$lt":
        return sameType((c) => c < 0);
      case "$lte":
        return sameType((c) => c <= 0);
      case "$exists":
        return (value !== undefined) === Boolean(arg);
      default:
        throw bad(`unknown operator: ${op}`);
    }
  });
}

/** The query language of find, delete, update and $match. */
export function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    switch (key) {
      case "$and":
        return (cond as Doc[]).every((f) => matches(doc, f));
      case "$or":
        return (cond as Doc[]).some((f) => matches(doc, f));
      case "$nor":
        return !(cond as Doc[]).some((f) => matches(doc, f));
      default:
        if (key.startsWith("$")) throw bad(`unknown top level operator: ${key}`);
        return matchCondition(getPath(doc, key), cond);
    }
  });
}

export function sortDocs(docs: Doc[], spec: Doc, meta: Meta): Doc[] {
  const keys = Object.entries(spec);
  const value = (d: Doc, k: string, dir: unknown) =>
    typeof dir === "object" && dir !== null && (dir as Doc).$meta === "vectorSearchScore" ? meta.get(d) : getPath(d, k);
  return [...docs].sort((a, b) => {
    for (const [k, dir] of keys) {
      const c = compareValues(value(a, k, dir), value(b, k, dir));
      if (c !== 0) return typeof dir === "number" && dir < 0 ? -c : typeof dir === "object" ? -c : c;
    }
    return 0;
  });
}

/** Search scores ride beside documents, as `{ $meta: "vectorSearchScore" }` reads them. */
export type Meta = WeakMap<Doc, number>;

interface Vars {
  root: Doc;
  [name: string]: unknown;
}

function num(v: unknown, op: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "number") throw new CommandError(16554, "TypeMismatch", `${op} only supports numeric types, not ${typeof v}`);
  return v;
}

/** Evaluates an aggregation expression against a document, with $$variables. */
export function evaluate(expr: unknown, vars: Vars, meta: Meta): unknown {
  if (typeof expr === "string") {
    if (expr.startsWith("$$")) {
      const [name, ...rest] = expr.slice(2).split(".");
      const base = name === "ROOT" || name === "CURRENT" ? vars.root : vars[name as string];
      if (!(name === "ROOT" || name === "CURRENT" || Object.hasOwn(vars, name as string))) throw new CommandError(17276, "Location17276", `Use of undefined variable: ${name}`);
      return rest.length ? getPath(base, rest.join(".")) : base;
    }
    if (expr.startsWith("$")) return getPath(vars.root, expr.slice(1));
    return expr;
  }
  if (Array.isArray(expr)) return expr.map((e) => evaluate(e, vars, meta));
  if (expr === null || typeof expr !== "object" || expr instanceof Date) return expr;
  const entries = Object.entries(expr as Doc);
  const [op, arg] = entries[0] ?? [];
  if (entries.length !== 1 || !op?.startsWith("$")) {
    return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, vars, meta)]));
  }
  const args = () => (Array.isArray(arg) ? arg : [arg]).map((a) => evaluate(a, vars, meta));
  switch (op) {
    case "$literal":
      return arg;
    case "$meta":
      if (arg !== "vectorSearchScore") throw bad(`unsupported $meta: ${String(arg)}`);
      return meta.get(vars.root);
    case "$add":
    case "$multiply": {
      let acc = op === "$add" ? 0 : 1;
      for (const v of args()) {
        const n = num(v, op);
        if (n === null) return null;
        acc = op === "$add" ? acc + n : acc * n;
      }
      return acc;
    }
    case "$subtract":
    case "$divide": {
      const [a, b] = args().map((v) => num(v, op));
      if (a === null || b === null || a === undefined || b === undefined) return null;
      if (op === "$divide" && b === 0) throw new CommandError(2, "BadValue", "can't $divide by zero");
      return op === "$subtract" ? a - b : a / b;
    }
    case "$sqrt": {
      const [a] = args().map((v) => num(v, op));
      return a === null || a === undefined ? null : Math.sqrt(a);
    }
    case "$arrayElemAt": {
      const [array, index] = args();
      if (array === null || array === undefined || index === null || index === undefined) return null;
      if (!Array.isArray(array)) throw new CommandError(28689, "Location28689", "$arrayElemAt's first argument must be an array");
      if (typeof index !== "number" || !Number.isInteger(index)) throw new CommandError(28691, "Location28691", "$arrayElemAt's second argument must be an integer");
      // Out of range is missing, not null: a $reduce over too long a range turns to null.
      return index < 0 ? array[array.length + index] : array[index];
    }
    case "$size": {
      const [array] = args();
      if (!Array.isArray(array)) throw new CommandError(17124, "Location17124", "The argument to $size must be an array");
      return array.length;
    }
    case "$range": {
      const [start, end, step = 1] = args();
      if (typeof start !== "number" || typeof end !== "number" || typeof step !== "number" || step === 0) throw bad("$range needs numeric start, end and a non-zero step");
      const out: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(i);
      return out;
    }
    case "$zip": {
      const spec = arg as Doc;
      const inputs = evaluate(spec.inputs, vars, meta);
      if (!Array.isArray(inputs)) throw new CommandError(34460, "Location34460", "inputs must be an array of expressions");
      if (inputs.some((i) => i === null || i === undefined)) return null;
      if (inputs.some((i) => !Array.isArray(i))) throw new CommandError(34468, "Location34468", "$zip found a non-array expression in input");
      const arrays = inputs as unknown[][];
      const n = spec.useLongestLength ? Math.max(...arrays.map((a) => a.length)) : Math.min(...arrays.map((a) => a.length));
      return Array.from({ length: n }, (_, i) => arrays.map((a) => (i < a.length ? a[i] : null)));
    }
    case "$reduce": {
      const spec = arg as Doc;
      const input = evaluate(spec.input, vars, meta);
      if (input === null || input === undefined) return null;
      if (!Array.isArray(input)) throw new CommandError(40080, "Location40080", "$reduce requires that 'input' be an array");
      let value = evaluate(spec.initialValue, vars, meta);
      for (const item of input) value = evaluate(spec.in, { ...vars, this: item, value }, meta);
      return value;
    }
    case "$map": {
      const spec = arg as Doc;
      const input = evaluate(spec.input, vars, meta);
      if (input === null || input === undefined) return null;
      if (!Array.isArray(input)) throw bad("input to $map must be an array");
      const as = typeof spec.as === "string" ? spec.as : "this";
      return input.map((item) => evaluate(spec.in, { ...vars, [as]: item }, meta));
    }
    default:
      throw new CommandError(168, "InvalidPipelineOperator", `Unrecognized expression '${op}'`);
  }
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== "object") cur[p] = {};
    cur = cur[p] as Doc;
  }
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/** $project: exclusion ({a: 0}) or inclusion with computed fields; _id stays unless excluded. */
function project(doc: Doc, spec: Doc, meta: Meta): Doc {
  const entries = Object.entries(spec);
  const excluding = entries.filter(([k]) => k !== "_id").every(([, v]) => v === 0 || v === false);
  if (excluding) {
    const out = structuredClone(doc);
    for (const [k, v] of entries) if (v === 0 || v === false) setPath(out, k, undefined);
    return out;
  }
  const out: Doc = {};
  if (spec._id !== 0 && spec._id !== false) out._id = doc._id;
  for (const [k, v] of entries) {
    if (k === "_id" && (v === 0 || v === false || v === 1 || v === true)) continue;
    if (v === 0 || v === false) throw new CommandError(31254, "Location31254", `Cannot do exclusion on field ${k} in inclusion projection`);
    setPath(out, k, v === 1 || v === true ? getPath(doc, k) : evaluate(v, { root: doc }, meta));
  }
  return out;
}

/** Runs the stages after any source stage ($vectorSearch, $listSearchIndexes) has produced `docs`. */
export function runStages(docs: Doc[], stages: Doc[], meta: Meta): Doc[] {
  let out = docs;
  for (const stage of stages) {
    const [name, spec] = Object.entries(stage)[0] ?? [];
    switch (name) {
      case "$match":
        out = out.filter((d) => matches(d, spec as Doc));
        break;
      case "$addFields":
      case "$set":
        out = out.map((d) => {
          const copy = { ...d };
          if (meta.has(d)) meta.set(copy, meta.get(d) as number);
          for (const [k, expr] of Object.entries(spec as Doc)) setPath(copy, k, evaluate(expr, { root: d }, meta));
          return copy;
        });
        break;
      case "$project":
        out = out.map((d) => project(d, spec as Doc, meta));
        break;
      case "$sort":
        out = sortDocs(out, spec as Doc, meta);
        break;
      case "$limit":
        if (typeof spec !== "number" || spec <= 0) throw new CommandError(15958, "Location15958", "the limit must be positive");
        out = out.slice(0, spec);
        break;
      case "$skip":
        out = out.slice(spec as number);
        break;
      case "$vectorSearch":
      case "$listSearchIndexes":
        throw new CommandError(40602, "Location40602", `${name} is only valid as the first stage in a pipeline`);
      default:
        throw new CommandError(40324, "Location40324", `Unrecognized pipeline stage name: '${String(name)}'`);
    }
  }
  return out;
}
