/**
 * Deterministic noise: the same seed, key and time give the same value, so a scrape can be
 * recomputed and tests do not depend on call order (a sequential PRNG would).
 */
import { fnv1a } from "@autodevops/shared";

/** A value in [0, 1) fixed by seed and key (mulberry32's output step over the hashed key). */
export function hashUnit(seed: number, key: string): number {
  let t = (fnv1a(key) + Math.imul(seed | 0, 0x9e3779b9)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Smooth noise in [-1, 1]: random values every `stepMs`, linearly interpolated between, so a
 * series wanders instead of jumping at every scrape.
 */
export function smoothNoise(seed: number, key: string, atMs: number, stepMs = 15_000): number {
  const i = Math.floor(atMs / stepMs);
  const f = atMs / stepMs - i;
  const a = hashUnit(seed, `${key}#${i}`) * 2 - 1;
  const b = hashUnit(seed, `${key}#${i + 1}`) * 2 - 1;
  return a + (b - a) * f;
}
