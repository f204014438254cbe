const SUFFIX: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("250m", "1.5", "512Mi", "2Gi", "1e3") as a number of base units; undefined when unreadable. */
export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === "number") return q;
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m?.[1]) return undefined;
  return Number(m[1]) * (SUFFIX[m[2] ?? ""] ?? 1);
}

/** CPU cores as kubectl shows them: millicores below a core ("250m"), else cores ("1.5"). */
export const formatCpu = (cores: number): string => (cores < 1 ? `${Math.round(cores * 1000)}m` : `${Math.round(cores * 1000) / 1000}`);

/** Bytes as Mi (or Gi from 10 Gi up), as kubectl top shows memory. */
export const formatMemory = (bytes: number): string => (bytes >= 10 * 2 ** 30 ? `${Math.round((bytes / 2 ** 30) * 10) / 10}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`);
