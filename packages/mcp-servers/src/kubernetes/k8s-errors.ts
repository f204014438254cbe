import { ApiException } from "@kubernetes/client-node";
import { ToolError } from "../core/tool-error.js";

/** The HTTP status of a failed API call, when it was one. */
export function statusOf(e: unknown): number | undefined {
  return e instanceof ApiException ? (e.code as number) : undefined;
}

/** The API server's own message for a failed call (its Status `message`), else the error's. */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body: unknown = e.body;
    let parsed: unknown = body;
    if (typeof body === "string") {
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = body;
      }
    }
    const message = parsed && typeof parsed === "object" && "message" in parsed ? String((parsed as { message: unknown }).message) : typeof parsed === "string" && parsed ? parsed : undefined;
    return message ?? `HTTP ${e.code}`;
  }
  return e instanceof Error ? e.message : String(e);
}

const HINTS: Record<number, string> = {
  401: "the kubeconfig's credentials were refused",
  403: "the cluster's RBAC does not allow this identity to do it",
  404: "check the name and namespace (list_workloads, list_pods, list_nodes)",
  409: "the object changed meanwhile; read it again and retry",
  422: "the cluster refused the change as invalid",
  429: "refused for now (a disruption budget or rate limit); retry later",
};

/** A failed Kubernetes call as a ToolError a model can act on: what failed, the API's reason, and a hint. */
export function k8sToolError(what: string, e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  const status = statusOf(e);
  const hint = status !== undefined ? HINTS[status] : undefined;
  return new ToolError(`${what} failed${status !== undefined ? ` (HTTP ${status})` : ""}: ${apiMessage(e)}${hint ? ` — ${hint}` : ""}`);
}

/** Runs one API call; any failure becomes a ToolError naming `what`. */
export async function k8sCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw k8sToolError(what, e);
  }
}
