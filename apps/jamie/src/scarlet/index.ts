// Jamie's client of Scarlet's API (CONTRACTS §5 and POST /api/proposals).
export {
  createScarletClient,
  DEFAULT_SCARLET_TIMEOUT_MS,
  ProposalRequest,
  ProposalResult,
  type ScarletClient,
  type ScarletClientOptions,
  type ScarletError,
} from "./scarlet-client.js";
