import type { StoreError } from "../store/cluster-store.js";

/** A `meta/v1` Status body, as the API server answers every failure. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason: string; message: string; field?: string }> };
  code: number;
}

export interface Failure {
  code: number;
  body: Status;
}

function failure(code: number, reason: string, message: string, details?: Status["details"]): Failure {
  return {
    code,
    body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code },
  };
}

export const badRequest = (message: string) => failure(400, "BadRequest", message);
export const unauthorized = () => failure(401, "Unauthorized", "Unauthorized");
export const forbidden = (user: string, verb: string, resource: string, group: string, namespace: string | undefined, name?: string) =>
  failure(
    403,
    "Forbidden",
    `${resource}${group ? `.${group}` : ""}${name ? ` "${name}"` : ""} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}"` +
      (namespace ? ` in the namespace "${namespace}"` : " at the cluster scope"),
    { ...(name ? { name } : {}), group, kind: resource },
  );
export const notFoundPath = () => failure(404, "NotFound", "the server could not find the requested resource");
export const methodNotAllowed = (method: string) => failure(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`);
export const unsupportedMediaType = (type: string) => failure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json (got ${type})`);
export const invalid = (kind: string, name: string, causes: Array<{ field?: string; message: string }>) =>
  failure(
    422,
    "Invalid",
    `${kind} "${name}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ")}`,
    { name, kind: kind.toLowerCase(), causes: causes.map((c) => ({ reason: "FieldValueInvalid", ...c })) },
  );
export const tooManyRequests = (message: string) => failure(429, "TooManyRequests", message);
export const internal = (message: string) => failure(500, "InternalError", `Internal error occurred: ${message}`);

/** The Status a store error becomes. */
export function fromStoreError(e: StoreError, kindForInvalid: string, group: string): Failure {
  switch (e.code) {
    case "not_found":
      return failure(404, "NotFound", e.message, { name: e.name, group, kind: e.resource.split("/").pop() });
    case "already_exists":
      return failure(409, "AlreadyExists", e.message, { name: e.name, group, kind: e.resource.split("/").pop() });
    case "conflict":
      return failure(409, "Conflict", e.message, { name: e.name, group, kind: e.resource.split("/").pop() });
    case "invalid":
      return invalid(kindForInvalid, e.name, [{ ...(e.field ? { field: e.field } : {}), message: e.message }]);
    case "gone":
      return failure(410, "Expired", e.message);
  }
}
