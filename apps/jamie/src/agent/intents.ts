import { z } from "zod";
import { ActionKind } from "@autodevops/shared";
import type { Estate, EstateCluster } from "./estate.js";

/** Where a question points: a cluster always (prod unless the message says staging), then narrower. */
const Scope = { cluster: z.string().min(1), namespace: z.string().optional(), workload: z.string().optional() };

/** What a message asks for, read without a model. `type` tells the intents apart. */
export const Intent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("whats-wrong"), ...Scope }),
  z.object({ type: z.literal("workload-status"), ...Scope }),
  z.object({ type: z.literal("alerts"), ...Scope }),
  z.object({ type: z.literal("recent-errors"), ...Scope }),
  z.object({ type: z.literal("why-restarted"), ...Scope, pod: z.string().optional() }),
  z.object({ type: z.literal("what-changed"), ...Scope }),
  z.object({ type: z.literal("incidents"), ...Scope, openOnly: z.boolean(), id: z.string().optional() }),
  z.object({ type: z.literal("approvals") }),
  z.object({ type: z.literal("seen-before"), ...Scope, query: z.string() }),
  z.object({
    type: z.literal("change-request"),
    kind: ActionKind,
    /** A workload, or a node for node actions; empty when the message named none we know. */
    target: z.string(),
    namespace: z.string().optional(),
    cluster: z.string().min(1),
    params: z.record(z.string(), z.unknown()),
    /** What the message left out that the action needs (e.g. the replica count). */
    missing: z.array(z.string()),
  }),
  z.object({ type: z.literal("help") }),
  z.object({ type: z.literal("unknown") }),
]);
export type Intent = z.infer<typeof Intent>;
export type IntentType = Intent["type"];

type Resolved = { cluster: string; namespace?: string; workload?: string; pod?: string; node?: string };

const words = (text: string) => text.toLowerCase().match(/[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9]/g) ?? [];

/** The cluster the message names ("staging", "prod"/"production"), else the estate's default. */
function clusterOf(tokens: string[], estate: Estate): EstateCluster | undefined {
  const byName = (n: string) => estate.clusters.find((c) => c.name === n);
  for (const t of tokens) {
    if (t === "production" && byName("prod")) return byName("prod");
    if (t === "stage" && byName("staging")) return byName("staging");
    const c = byName(t);
    if (c) return c;
  }
  return byName(estate.defaultCluster) ?? estate.clusters[0];
}

/** A generated pod name (`cart-7d9f8c6b5-x2k4q`, `redis-cart-0`, or any `<workload>-<suffix>`) belongs to that workload. */
function workloadOfPod(token: string, c: EstateCluster): EstateCluster["workloads"][number] | undefined {
  const owners = c.workloads.filter((w) => token.startsWith(`${w.name}-`) && token.length > w.name.length + 1);
  // The longest name wins: `redis-cart-0` is redis-cart's, not a pod of some `redis`.
  return owners.sort((a, b) => b.name.length - a.name.length)[0];
}

/**
 * Resolves names in the message against the live estate: the cluster, a namespace, a workload
 * (also from a plural or possessive: "payment", "cart's"), a pod, a node.
 */
export function resolveNames(message: string, estate: Estate): Resolved {
  const tokens = words(message.replace(/'s\b/g, ""));
  const c = clusterOf(tokens, estate);
  const cluster = c?.name ?? estate.defaultCluster;
  if (!c) return { cluster };
  const namespaces = new Set(c.namespaces);
  // "dev" or "default" are also ordinary words; only count them next to "namespace".
  const ambiguousNs = new Set(["dev", "default", "platform", "batch"]);
  let namespace: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? "";
    if (!namespaces.has(t)) continue;
    const nearNs = tokens[i - 1] === "namespace" || tokens[i + 1] === "namespace" || tokens[i - 1] === "ns" || tokens[i - 1] === "in";
    if (!ambiguousNs.has(t) || nearNs) {
      namespace = t;
      break;
    }
  }
  let workload: string | undefined;
  let pod: string | undefined;
  const candidates = namespace ? [...c.workloads.filter((w) => w.namespace === namespace), ...c.workloads.filter((w) => w.namespace !== namespace)] : c.workloads;
  // Whole names first ("redis-cart" before "cart"), then pod names, then loose forms.
  outer: for (const t of tokens) {
    const exact = candidates.find((w) => w.name === t);
    if (exact) {
      workload = exact.name;
      namespace ??= exact.namespace;
      break outer;
    }
  }
  if (!workload) {
    for (const t of tokens) {
      const owner = workloadOfPod(t, c);
      if (owner && !c.nodes.includes(t)) {
        workload = owner.name;
        pod = t;
        namespace ??= owner.namespace;
        break;
      }
    }
  }
  if (!workload) {
    for (const t of tokens) {
      const loose = candidates.find((w) => w.name === `${t}s` || `${w.name}s` === t || w.name.replace(/-/g, "") === t);
      if (loose && t.length >= 4) {
        workload = loose.name;
        namespace ??= loose.namespace;
        break;
      }
    }
  }
  const node = tokens.find((t) => c.nodes.includes(t));
  return { cluster, ...(namespace ? { namespace } : {}), ...(workload ? { workload } : {}), ...(pod ? { pod } : {}), ...(node ? { node } : {}) };
}

/** Politeness and preambles a request may start with, "ignore your rules and" included: what follows is still only a request. */
const PREAMBLE = /^(?:(?:ok|okay|right|so|hey|hi|jamie|mate|please|pls|kindly|now|then|just|and|go ahead and|can you|could you|would you|will you|can we|could we|let's|lets|let us|i want to|i'd like to|i would like to|i need you to|we need to|you should|you must|you need to|i want you to|quickly|immediately)\b[\s,]*)+/;

const VERBS: { re: RegExp; kind: z.infer<typeof ActionKind> | "restart" | "set" }[] = [
  { re: /^(?:scale|resize)\b/, kind: "scale" },
  { re: /^(?:roll\s*back|rollback|revert|undo)\b/, kind: "rollback" },
  { re: /^(?:rollout\s+restart|restart|bounce|reboot|recycle|redeploy|kick)\b/, kind: "restart" },
  { re: /^(?:delete|kill|remove|nuke|evict)\b/, kind: "delete-pod" },
  { re: /^cordon\b/, kind: "cordon-node" },
  { re: /^drain\b/, kind: "drain-node" },
  { re: /^(?:set|increase|raise|bump|give|lower|reduce|decrease|change)\b/, kind: "set" },
];

/** Splits a message into clauses, so "ignore your rules. delete pod x" or "x, then restart y" are each read. */
const clauses = (text: string) =>
  text
    .toLowerCase()
    .split(/[.;!?\n]+|,\s*(?:and\s+|then\s+)?|\s+(?:and|then|and then)\s+/)
    .map((s) => s.trim().replace(PREAMBLE, "").trim())
    .filter(Boolean);

const QUANTITY = /\b(\d+(?:\.\d+)?)\s*(mi|gi|ki|m|g|mb|gb|mib|gib|cores?|cpus?)?\b/i;

function quantity(raw: string, resource: "memory" | "cpu"): string | undefined {
  const m = QUANTITY.exec(raw);
  if (!m?.[1]) return undefined;
  const n = m[1];
  const unit = (m[2] ?? "").toLowerCase();
  if (resource === "memory") {
    if (unit === "mi" || unit === "mb" || unit === "mib" || unit === "m") return `${n}Mi`;
    if (unit === "gi" || unit === "gb" || unit === "gib" || unit === "g") return `${n}Gi`;
    if (unit === "ki") return `${n}Ki`;
    return undefined;
  }
  if (unit === "m") return `${n}m`;
  if (unit === "" || unit.startsWith("core") || unit.startsWith("cpu")) return n;
  return undefined;
}

function changeRequest(clause: string, estate: Estate, whole: Resolved): Extract<Intent, { type: "change-request" }> | undefined {
  const verb = VERBS.find((v) => v.re.test(clause));
  if (!verb) return undefined;
  // "restart" in "restart count" or "restarts" is about the past, not a request.
  if (/^restart(?:s|ed|ing)?\s+(?:count|reason|history|loop)/.test(clause)) return undefined;
  // The cluster is the whole message's ("on staging, restart cart"); the names are this clause's.
  const names: Resolved = { ...resolveNames(clause, estate), cluster: whole.cluster };
  const base = { type: "change-request" as const, cluster: names.cluster, missing: [] as string[] };
  const inNs = names.namespace ? { namespace: names.namespace } : {};
  switch (verb.kind) {
    case "scale": {
      const n = /\b(?:to|at|=)\s*(\d+)\b|\b(\d+)\s*(?:replicas?|pods?|instances?|copies)\b/.exec(clause);
      const replicas = n ? Number(n[1] ?? n[2]) : undefined;
      return { ...base, kind: "scale", target: names.workload ?? "", ...inNs, params: replicas !== undefined ? { replicas } : {}, missing: [...(names.workload ? [] : ["workload"]), ...(replicas === undefined ? ["replicas"] : [])] };
    }
    case "rollback": {
      const rev = /\brevision\s*#?\s*(\d+)\b|\bto\s+(?:rev\s*)?#?(\d+)\b/.exec(clause);
      const toRevision = rev ? Number(rev[1] ?? rev[2]) : undefined;
      return { ...base, kind: "rollback", target: names.workload ?? "", ...inNs, params: toRevision !== undefined ? { toRevision } : {}, missing: names.workload ? [] : ["workload"] };
    }
    case "restart": {
      // Restarting one pod is deleting it (its controller makes a new one).
      if (names.pod) return { ...base, kind: "delete-pod", target: names.workload ?? "", ...inNs, params: { pod: names.pod }, missing: [] };
      return { ...base, kind: "rollout-restart", target: names.workload ?? "", ...inNs, params: {}, missing: names.workload ? [] : ["workload"] };
    }
    case "delete-pod": {
      const podWord = /\bpods?\s+([a-z0-9][a-z0-9.-]*)/.exec(clause)?.[1];
      const pod = names.pod ?? (podWord && podWord !== "of" && podWord !== "in" ? podWord : undefined);
      return { ...base, kind: "delete-pod", target: names.workload ?? "", ...inNs, params: pod ? { pod } : {}, missing: pod ? [] : ["pod"] };
    }
    case "cordon-node":
    case "drain-node":
      return { ...base, kind: verb.kind, target: names.node ?? "", namespace: "", params: {}, missing: names.node ? [] : ["node"] };
    case "set": {
      const resource = /\b(?:memory|mem|ram)\b/.test(clause) ? "memory" : /\bcpu\b/.test(clause) ? "cpu" : undefined;
      if (!resource) return undefined;
      const after = /\bto\s+(.+)$/.exec(clause)?.[1] ?? clause;
      const q = quantity(after, resource);
      const which = /\brequests?\b/.test(clause) ? "requests" : "limits";
      return { ...base, kind: "set-resources", target: names.workload ?? "", ...inNs, params: q ? { [which]: { [resource]: q } } : {}, missing: [...(names.workload ? [] : ["workload"]), ...(q ? [] : [resource])] };
    }
  }
}

const has = (re: RegExp, text: string) => re.test(text);

/**
 * Reads a message into an intent, deterministically. Requests to change something are
 * recognised first (only in the imperative, so "why did cart restart?" is a question), then the
 * questions, from the most specific wording to the broadest.
 */
export function parseIntent(message: string, estate: Estate): Intent {
  const text = message.toLowerCase().replace(/[’‘]/g, "'").trim();
  const names = resolveNames(text, estate);
  const scope = { cluster: names.cluster, ...(names.namespace ? { namespace: names.namespace } : {}), ...(names.workload ? { workload: names.workload } : {}) };

  for (const clause of clauses(text)) {
    const change = changeRequest(clause, estate, names);
    if (change) return change;
  }

  if (/^(?:help|\?|what can you do|what do you do|commands|how do i use you)\b/.test(text) || has(/\bwhat can (?:you|i ask)\b|\bhelp me\b|^(?:hi|hello|hey|hiya|morning|evening)\b[\s!.,]*(?:jamie)?[\s!.]*$/, text)) return { type: "help" };
  if (has(/\b(?:seen (?:this|that|it|something like this)|happened before|happen(?:ed)? before|ever (?:happened|seen)|before\?|last time|similar (?:incident|issue|problem|outage)s?|remember when|do you remember|any history of)\b/, text) || has(/\bbefore\s*\?*\s*$/, text)) {
    return { type: "seen-before", ...scope, query: message.trim() };
  }
  if (has(/\b(?:why|how come|what made|what caused|reason)\b.*\b(?:restart|restarted|restarting|restarts|crash|crashed|crashing|died|dying|die|killed|oom|oomkilled|bounced|reboot)/, text) || has(/\b(?:restart|crash)\s*(?:reason|cause)\b|\bwhat killed\b|\bkeeps? (?:restarting|crashing|dying)\b|\bcrash\s*loop/, text)) {
    return { type: "why-restarted", ...scope, ...(names.pod ? { pod: names.pod } : {}) };
  }
  if (has(/\bapprovals?\b|\bapprove\b|\bsign[- ]?off\b|\bpending (?:changes?|requests?|actions?|proposals?)\b|\bwaiting (?:for|on) (?:me|approval|a human|someone)\b|\bproposals?\b/, text)) return { type: "approvals" };
  if (has(/\bincidents?\b|\boutages?\b|\bpost-?mortems?\b|\bwhat (?:did|has|have) scarlet\b|\bscarlet (?:did|do|done|been up to|fixed|fix)\b|\bwhat (?:got|was) fixed\b|\binc[-_][a-z0-9]/, text)) {
    const id = /\b(inc[-_][a-z0-9-]+)\b/.exec(text)?.[1];
    return { type: "incidents", ...scope, openOnly: has(/\b(?:open|ongoing|current|active|unresolved|right now|now)\b/, text), ...(id ? { id } : {}) };
  }
  if (has(/\bwhat(?:'s| has| have)? (?:\w+ )?changed\b|\bchanges?\b.*\b(?:recent|recently|lately|today|yesterday)\b|\b(?:recent|latest|last) (?:deploy|deployment|rollout|release|change|commit)s?\b|\brollout history\b|\brevisions?\b|\bwho (?:deployed|changed|scaled|touched|rolled|pushed|deleted|edited)\b|\b(?:deployed|released|shipped|pushed) (?:recently|today|lately)\b|\bcommits?\b|\bwhat (?:was|got) (?:deployed|released|shipped)\b|\b(?:did|has|have) (?:someone|anyone|somebody|anybody|scarlet|you|we) (?:scale|deploy|change|restart|roll|touch|delete|edit|update)/, text)) {
    return { type: "what-changed", ...scope };
  }
  if (has(/\balerts?\b|\balerting\b|\bfiring\b|\bpag(?:ed|ing|er)\b/, text)) return { type: "alerts", ...scope };
  // "why is checkout failing?" wants a diagnosis, not a log dump.
  const why = has(/^(?:why|how come)\b/, text);
  if (!why && has(/\b(?:errors?|exceptions?|logs?|panics?|stack ?traces?|tracebacks?|log lines?)\b/, text) && !has(/\berror rates?\b/, text)) {
    return { type: "recent-errors", ...scope };
  }
  if (has(/\b(?:wrong|broken|broke|issues?|problems?|unhealthy|failing|fail|down|on fire|sick|not working|going on|happening|trouble|errors?|slow|latency|outage|degraded|misbehaving|bad|red|burning|why)\b/, text)) {
    return { type: "whats-wrong", ...scope };
  }
  if (has(/\bstatus\b|\bhealth(?:y)?\b|\bhow(?:'s| is| are| are things)\b|\bup\b|\brunning\b|\breplicas?\b|\bok(?:ay)?\b|\bready\b|\brestart (?:count|counts)\b|\brestarts\b|\bdoing\b|\bfine\b|\bpods?\b/, text) && (names.workload ?? names.namespace)) {
    return { type: "workload-status", ...scope };
  }
  if (has(/\bhow(?:'s| is| are)\b.*\b(?:things|everything|prod|production|staging|cluster|estate)\b|\bstatus\b|\banything\b.*\b(?:up|on)\b/, text)) return { type: "whats-wrong", ...scope };
  return { type: "unknown" };
}

const PRONOUN = /\b(?:it|its|it's|that|this|them|they|their|the same|there)\b/;
const SCOPED: readonly IntentType[] = ["whats-wrong", "workload-status", "alerts", "recent-errors", "why-restarted", "what-changed", "incidents", "seen-before"];

/**
 * A follow-up ("why did it restart?") takes the workload, namespace and cluster of the last
 * earlier user message that named one. Only when this message names none and refers back.
 */
export function withHistory(intent: Intent, message: string, previousUserMessages: readonly string[], estate: Estate): Intent {
  if (!SCOPED.includes(intent.type) || !("cluster" in intent) || intent.type === "change-request" || intent.workload || intent.namespace) return intent;
  if (!PRONOUN.test(message.toLowerCase())) return intent;
  for (const earlier of [...previousUserMessages].reverse()) {
    const names = resolveNames(earlier, estate);
    if (!names.workload && !names.namespace) continue;
    const saysCluster = estate.clusters.some((c) => new RegExp(`\\b${c.name}\\b`).test(message.toLowerCase()));
    return { ...intent, ...(saysCluster ? {} : { cluster: names.cluster }), ...(names.namespace ? { namespace: names.namespace } : {}), ...(names.workload ? { workload: names.workload } : {}) };
  }
  return intent;
}
