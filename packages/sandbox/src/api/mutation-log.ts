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
  /**
   * Set on a change a fault made (as the person `user` would have): kept for the faults' own cure
   * rules, left out of `GET /sandbox/mutations`, which lists the API calls the clusters received.
   */
  fault?: true;
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

  /** The API calls received since `at`: what `GET /sandbox/mutations` shows. */
  received(at?: Date): Mutation[] {
    return this.since(at).filter((m) => m.fault !== true);
  }

  clear(): void {
    this.#entries = [];
  }
}
