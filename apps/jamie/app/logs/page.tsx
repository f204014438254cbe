import { Suspense } from "react";
import { LogView } from "./LogView";

/** A pod's log or a LogQL query's lines: where the assistant's log citations lead. */
export default function LogsPage() {
  // The view reads the query string, which Next only hands to a client component inside Suspense.
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <LogView />
    </Suspense>
  );
}
