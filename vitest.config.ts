import { defineConfig } from "vitest/config";

// One vitest run over every workspace that has tests, plus the cross-package suite in test/.
// `npx vitest --project shared` runs a single project.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "test/vitest.config.ts", "scripts/vitest.config.ts"],
  },
});
