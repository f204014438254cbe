import type { ActionKind } from "@autodevops/shared";

/** One mutating API call, as CONTRACTS.md section 2 lists them under `/sandbox/mutations`. */
export interface Mutation {
  at: string;
  cluster: string;
  verb: "create" | "update" | "patch" | "delete" | "deletecollection";
  resource: string;
  namespace: string | null;
  name: string | null;
  subresource?: string;
  patch?: unknown;
  user: string;
  /** The sandbox's reading of the call's effect in the Action vocabulary, or null. */
  action: ActionKind | null;
}

/** Every mutating call every cluster received since the last reset: the ground truth of what was done. */
export class MutationLog {
  #entries: Mutation[] = [];

  record(m: Mutation): void {
    this.#entries.push(m);
  }

  since(at?: Date): Mutation[] {
    return at ? this.#entries.filter((m) => new Date(m.at) >= at) : [...this.#entries];
  }

  clear(): void {
    this.#entries = [];
  }
}
