// Builds Jamie's pages once before the integration tests: `npm start` and the portal's e2e test
// both serve them, and two `next build`s in one directory at the same time would trip each other.
import { createLogger } from "@autodevops/shared";
import { buildIsStale, buildPages } from "../apps/jamie/src/server/next-pages.js";

export default async function setup(): Promise<void> {
  if (await buildIsStale()) await buildPages(createLogger({ service: "test-setup", level: "warn" }));
}
