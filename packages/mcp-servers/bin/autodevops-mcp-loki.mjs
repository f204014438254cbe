#!/usr/bin/env node
// The loki MCP server: stdio by default, `--http [host:]port` for Streamable HTTP.
// The project runs its TypeScript with tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../src/loki/main.ts");
