/** Who a bearer token belongs to. The sandbox knows three identities, all from its kubeconfig. */
export interface Identity {
  user: string;
  groups: string[];
}

export interface Request {
  verb: string;
  /** Resource plural, e.g. `pods`, `deployments`. */
  resource: string;
  group: string;
  subresource?: string;
  namespace?: string;
}

interface Rule {
  groups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ["get", "list", "watch"];

/** Everything Scarlet may read (all but Secrets). */
const READABLE: Rule = {
  groups: ["", "apps", "networking.k8s.io", "policy", "coordination.k8s.io"],
  resources: [
    "namespaces", "nodes", "pods", "pods/log", "events", "services", "endpoints", "configmaps",
    "persistentvolumeclaims", "resourcequotas", "serviceaccounts", "deployments", "deployments/scale",
    "replicasets", "statefulsets", "statefulsets/scale", "daemonsets", "controllerrevisions",
    "networkpolicies", "poddisruptionbudgets", "leases",
  ],
  verbs: READ,
};

/**
 * What the `scarlet` service account may do: read everything but Secrets, and exactly the
 * writes its action vocabulary needs. Mirrors the least-privilege Role the deploy issue ships.
 */
const SCARLET_RULES: Rule[] = [
  READABLE,
  { groups: [""], resources: ["pods"], verbs: ["delete"] },
  { groups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  { groups: [""], resources: ["nodes"], verbs: ["patch"] },
  { groups: [""], resources: ["events"], verbs: ["create", "patch"] },
  { groups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["patch", "update"] },
  { groups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["patch", "update"] },
  { groups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "update", "patch"] },
];

/**
 * What the `jamie` service account may do: read what Scarlet reads and write nothing. Jamie
 * answers people; a change it is asked for goes to Scarlet as a proposal.
 */
const JAMIE_RULES: Rule[] = [READABLE];

export const ADMIN: Identity = { user: "admin", groups: ["system:masters", "system:authenticated"] };
export const SCARLET: Identity = { user: "system:serviceaccount:autodevops:scarlet", groups: ["system:serviceaccounts", "system:authenticated"] };
export const JAMIE: Identity = { user: "system:serviceaccount:autodevops:jamie", groups: ["system:serviceaccounts", "system:authenticated"] };

const RULES_OF: ReadonlyMap<string, readonly Rule[]> = new Map([
  [SCARLET.user, SCARLET_RULES],
  [JAMIE.user, JAMIE_RULES],
]);

/** May this identity make this request? `system:masters` (the admin) may do anything. */
export function authorize(who: Identity, req: Request): boolean {
  if (who.groups.includes("system:masters")) return true;
  const rules = RULES_OF.get(who.user);
  if (!rules) return false;
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  return rules.some((r) => r.groups.includes(req.group) && r.resources.includes(resource) && r.verbs.includes(req.verb));
}

/** The identities' bearer tokens; a sandbox started without `jamie` knows only the other two. */
export interface SandboxTokens {
  admin: string;
  scarlet: string;
  jamie?: string;
}

/** Maps `Authorization: Bearer <token>` to an identity; undefined means 401. */
export function authenticate(header: string | undefined, tokens: SandboxTokens): Identity | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!m) return undefined;
  if (m[1] === tokens.admin) return ADMIN;
  if (m[1] === tokens.scarlet) return SCARLET;
  if (tokens.jamie !== undefined && m[1] === tokens.jamie) return JAMIE;
  return undefined;
}
