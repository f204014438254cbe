import Link from "next/link";
import type { Citation } from "../_lib/types";

/** A pod's log as the assistant cites it: `prod/shop/pod/cart-7d9f-x2k4q/logs`, `?previous=true` for the crashed run. */
const POD_LOG = /^([a-z0-9-]+)\/([a-z0-9-]+)\/pod\/([a-z0-9.-]+)\/logs(\?previous=true)?$/;
/** A Loki answer's label names its range and cluster: "Loki, last 30 minutes, prod". */
const LOKI_LABEL = /last (\d+) minutes?, ([a-z0-9-]+)$/;

/** The Logs page for a log citation: a pod's log, or a LogQL query (a stream selector first). */
function logHref(c: Citation): string | undefined {
  const pod = POD_LOG.exec(c.ref);
  if (pod) return `/logs?${new URLSearchParams({ cluster: pod[1] ?? "", namespace: pod[2] ?? "", pod: pod[3] ?? "", ...(pod[4] ? { previous: "true" } : {}) })}`;
  if (!c.ref.trimStart().startsWith("{")) return undefined;
  const label = LOKI_LABEL.exec(c.label ?? "");
  return `/logs?${new URLSearchParams({ ...(label ? { cluster: label[2] ?? "", since: String(Math.min(360, Number(label[1]))) } : {}), query: c.ref })}`;
}

/** Where a citation leads: an incident to its page, a Kubernetes object to the estate, a log to the Logs page, the rest shown as the query it was. */
export function citationHref(c: Citation): string | undefined {
  if (c.kind === "incident") return `/incidents/${encodeURIComponent(c.ref)}`;
  if (c.kind === "resource" || c.kind === "event") return `/estate?focus=${encodeURIComponent(c.ref)}`;
  if (c.kind === "log") return logHref(c);
  return undefined;
}

export function Citations({ items }: { items: Citation[] }) {
  if (items.length === 0) return null;
  return (
    <div className="cites" aria-label="Sources">
      {items.map((c) => {
        const href = citationHref(c);
        const text = `${c.kind}: ${c.label ?? c.ref}`;
        return href ? (
          <Link key={`${c.kind}|${c.ref}`} className="cite" href={href}>{text}</Link>
        ) : (
          <span key={`${c.kind}|${c.ref}`} className="cite" title={c.ref}>{text}</span>
        );
      })}
    </div>
  );
}
