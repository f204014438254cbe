#!/usr/bin/env node
// The prometheus MCP server: stdio by default, `--http [host:]port` for Streamable HTTP.
// The project runs its TypeScript with tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../src/prometheus/main.ts");
