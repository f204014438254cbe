import type { EventBus, Logger, Unsubscribe } from "@autodevops/shared";
import type { VectorMemory } from "./types.js";

/** The memory id of an incident's summary: one record per incident, however often it closes. */
export const incidentMemoryId = (incidentId: string): string => `incident:${incidentId}`;

/**
 * Stores each closed incident's summary (Scarlet publishes `incident.closed`) as a shared
 * memory, so anyone asking Jamie "have we seen this before?" recalls it. Returns the unsubscribe.
 */
export async function rememberIncidentSummaries(bus: Pick<EventBus, "subscribe">, memory: Pick<VectorMemory, "remember">, log: Logger): Promise<Unsubscribe> {
  return bus.subscribe("incident.closed", async (event) => {
    const { incidentId, status, summary } = event.payload;
    try {
      await memory.remember({ id: incidentMemoryId(incidentId), kind: "incident", userId: null, text: summary, metadata: { incidentId, status } });
      log.info({ incidentId, status }, "incident summary remembered");
    } catch (err) {
      // The bus is a hint, not a queue: this summary is lost to memory until the incident closes again.
      log.error({ err, incidentId }, "incident summary not remembered");
    }
  });
}
