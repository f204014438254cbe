import { z } from "zod";

/**
 * A trace in the OTLP JSON shapes Tempo answers with — `{ batches: [...] }` (api/traces),
 * `{ trace: { resourceSpans: [...] } }` (api/v2/traces) or `{ resourceSpans: [...] }` — read
 * into one flat list of spans with their service. Ids stay as sent (hex or base64): they are
 * only compared with each other.
 */

const AnyValue = z.object({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.number().optional(),
  boolValue: z.boolean().optional(),
});
const Attributes = z.array(z.object({ key: z.string(), value: AnyValue.optional() })).optional();
const OtlpSpan = z.object({
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.union([z.string(), z.number()]).optional(),
  startTimeUnixNano: z.union([z.string(), z.number()]),
  endTimeUnixNano: z.union([z.string(), z.number()]),
  attributes: Attributes,
  status: z.object({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() }).optional(),
});
const ScopeSpans = z.array(z.object({ spans: z.array(OtlpSpan).optional() })).optional();
const ResourceSpans = z.array(
  z.object({
    resource: z.object({ attributes: Attributes }).optional(),
    scopeSpans: ScopeSpans,
    // Tempo before 2.0 (OTLP before 0.15) named them so.
    instrumentationLibrarySpans: ScopeSpans,
  }),
);
export const OtlpTrace = z.union([
  z.object({ batches: ResourceSpans }),
  z.object({ resourceSpans: ResourceSpans }),
  z.object({ trace: z.object({ resourceSpans: ResourceSpans.optional() }) }),
]);

export type Attr = string | number | boolean;

export type FlatSpan = {
  spanId: string;
  parentSpanId: string | undefined;
  service: string;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  statusMessage: string | undefined;
  attributes: Record<string, Attr>;
};

function attrs(list: z.infer<typeof Attributes>): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const { key, value } of list ?? []) {
    if (!value) continue;
    const v = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue;
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const nanosToMs = (v: string | number): number => (typeof v === "number" ? v / 1e6 : Number(BigInt(v) / 1000n) / 1000);

const KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];

/** Every span of the trace, with its resource's service.name. */
export function flattenTrace(trace: z.infer<typeof OtlpTrace>): FlatSpan[] {
  const resources = "batches" in trace ? trace.batches : "resourceSpans" in trace ? trace.resourceSpans : (trace.trace.resourceSpans ?? []);
  const spans: FlatSpan[] = [];
  for (const rs of resources) {
    const service = String(attrs(rs.resource?.attributes)["service.name"] ?? "unknown");
    for (const scope of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])]) {
      for (const s of scope.spans ?? []) {
        const startMs = nanosToMs(s.startTimeUnixNano);
        const code = s.status?.code;
        spans.push({
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ? s.parentSpanId : undefined,
          service,
          name: s.name,
          kind: typeof s.kind === "number" ? (KINDS[s.kind] ?? String(s.kind)) : (s.kind ?? "SPAN_KIND_UNSPECIFIED"),
          startMs,
          durationMs: Math.max(0, nanosToMs(s.endTimeUnixNano) - startMs),
          error: code === "STATUS_CODE_ERROR" || code === 2,
          statusMessage: s.status?.message || undefined,
          attributes: attrs(s.attributes),
        });
      }
    }
  }
  return spans;
}
