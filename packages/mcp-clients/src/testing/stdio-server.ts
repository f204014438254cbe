// A test server over stdio, as a child process: the cluster tools plus `whoami` (its pid), so a
// test can kill it and see the toolbox start a new one. Run: node --import tsx stdio-server.ts
import { z } from "zod";
import { createMcpServer, defineTool, serveStdio } from "@autodevops/mcp-servers";
import { clusterSpec, silentLog } from "./test-servers.js";

const spec = clusterSpec([], { name: "stdio-test" });
const whoami = defineTool({
  name: "whoami",
  title: "Who am I",
  description: "The server process's pid.",
  input: z.object({}),
  output: z.object({ pid: z.number() }),
  kind: "read",
  run: async () => ({ summary: `pid ${process.pid}`, data: { pid: process.pid } }),
});
await serveStdio(createMcpServer({ ...spec, tools: [...spec.tools, whoami] }, { log: silentLog }));
