import type { CounterBank } from "./counter-bank.js";
import type { StoredModifier } from "./telemetry-modifiers.js";

/** What every metric builder of one scrape shares. */
export interface ScrapeContext {
  now: Date;
  /** Seconds since the previous scrape (or since telemetry started): what counters accrue over. */
  elapsedSeconds: number;
  seed: number;
  counters: CounterBank;
  modifierOf: (service: string) => Readonly<Partial<StoredModifier>>;
}
