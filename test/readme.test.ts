import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { envTable } from "../scripts/env-table.js";

describe("README", () => {
  it("lists every environment variable of the config schema, with its default", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const table = /<!-- env-table:start[^>]*-->\n([\s\S]*?)\n<!-- env-table:end -->/.exec(readme)?.[1];
    expect(table, "README has lost its env-table markers").toBeDefined();
    expect(table).toBe(envTable());
  });
});
