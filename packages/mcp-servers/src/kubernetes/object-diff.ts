import { createTwoFilesPatch } from "diff";
import { stringify } from "yaml";
import { scrubSecrets } from "../core/scrub-secrets.js";
import { plain, type Plain } from "./plain.js";

/**
 * The object as people read it: no managedFields, and Secret values replaced (YAML text would
 * carry them past the core's scrubbing of structured results, so they go before rendering).
 */
export function readableObject(o: unknown, opts: { forDiff?: boolean } = {}): Plain {
  const obj = scrubSecrets(plain(o));
  const metadata = { ...((obj.metadata ?? {}) as Plain) };
  delete metadata.managedFields;
  if (opts.forDiff) {
    // Bookkeeping the server changes on every write; a diff of it says nothing about the change.
    delete metadata.resourceVersion;
    delete metadata.generation;
  }
  // kubectl's order: apiVersion, kind, metadata, then the rest.
  const out: Plain = { apiVersion: obj.apiVersion, kind: obj.kind, metadata, ...obj };
  out.metadata = metadata;
  if (out.apiVersion === undefined) delete out.apiVersion;
  if (out.kind === undefined) delete out.kind;
  if (opts.forDiff) delete out.status;
  return out;
}

/** The object as YAML, for get_resource and the diffs. */
export function objectYaml(o: unknown, opts: { forDiff?: boolean } = {}): string {
  return stringify(readableObject(o, opts), { lineWidth: 0 });
}

/**
 * A unified diff of an object's YAML before and after a change (status and bookkeeping left out);
 * `after` null is a deletion, and an empty string means nothing would change.
 */
export function objectDiff(label: string, before: unknown, after: unknown): string {
  const a = before === null ? "" : objectYaml(before, { forDiff: true });
  const b = after === null ? "" : objectYaml(after, { forDiff: true });
  if (a === b) return "";
  return createTwoFilesPatch(`a/${label}`, `b/${label}`, a, b, undefined, undefined, { context: 3 });
}
