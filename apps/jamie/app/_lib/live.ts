"use client";
import { useEffect, useRef } from "react";

/** Calls `onChange` whenever Scarlet reports an incident or approval change (the pages re-read then). */
export function useLive(onChange: (topic: string, payload: unknown) => void): void {
  const cb = useRef(onChange);
  cb.current = onChange;
  useEffect(() => {
    const es = new EventSource("/api/events");
    const topics = ["incident.updated", "incident.closed", "approval.requested", "approval.decided"];
    const handlers = topics.map((t) => {
      const h = (e: MessageEvent<string>) => cb.current(t, JSON.parse(e.data));
      es.addEventListener(t, h);
      return [t, h] as const;
    });
    return () => {
      for (const [t, h] of handlers) es.removeEventListener(t, h);
      es.close();
    };
  }, []);
}
