import { z } from "zod";

// Param fields several kinds share. `message` is accepted by every kind (CONTRACTS.md section 3);
// `by` by the kinds that simulate someone else's API call, so the mutation log shows who did it.
export const message = z.string().min(1).optional();
export const by = z.string().min(1).optional();
/** An image tag as a registry accepts it. */
export const tag = z.string().regex(/^[\w][\w.-]{0,127}$/).optional();
