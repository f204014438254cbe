import Link from "next/link";
import type { Citation } from "../_lib/types";

/** Where a citation leads: an incident to its page, a Kubernetes object to the estate, the rest shown as the query it was. */
export function citationHref(c: Citation): string | undefined {
  if (c.kind === "incident") return `/incidents/${encodeURIComponent(c.ref)}`;
  if (c.kind === "resource" || c.kind === "event") return `/estate?focus=${encodeURIComponent(c.ref)}`;
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
