import { describe, expect, it } from "vitest";
import { formatMcpConfigIssues, loadMcpServersConfig } from "./load-config.js";
import { silentLog } from "../testing/test-servers.js";
import { OWN_SERVERS } from "./own-servers.js";

const fullEnv = { KUBECONFIG: "/k/config", PROMETHEUS_URL: "http://prom:9090", LOKI_URL: "http://loki", TEMPO_URL: "http://tempo", GITHUB_TOKEN: "ghp_x", POLICY_PUBLIC_KEY: "pem", UNRELATED: "no" };
const load = (env: Record<string, string | undefined>, files: Record<string, string> = {}) =>
  loadMcpServersConfig(env, {
    nodePath: "/usr/bin/node",
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error("ENOENT: no such file");
      return text;
    },
  });
const issues = (r: ReturnType<typeof load>) => (r.ok ? [] : r.error);

describe("MCP server configuration", () => {
  it("defaults to our five servers, leaving out each whose environment is missing, with the reason", () => {
    const r = load({ KUBECONFIG: "/k/config", PROMETHEUS_URL: "http://prom:9090" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.value.servers)).toEqual(["kubernetes", "prometheus"]);
    expect(r.value.skipped).toEqual([
      { server: "loki", reason: "LOKI_URL is not set" },
      { server: "tempo", reason: "TEMPO_URL is not set" },
      { server: "github", reason: "GITHUB_TOKEN is not set" },
    ]);
    expect(r.value.servers.kubernetes?.decisionAware).toBe(true);
  });

  it("runs one of ours as its binary when asked, handing it only its own variables", () => {
    const r = load({ ...fullEnv, MCP_SERVERS: JSON.stringify({ kubernetes: { run: "child-process", timeoutMs: 20_000 } }) });
    if (!r.ok) throw new Error(formatMcpConfigIssues(r.error));
    const k8s = r.value.servers.kubernetes;
    expect(k8s).toMatchObject({ timeoutMs: 20_000, decisionAware: true, source: { kind: "endpoint", endpoint: { transport: "stdio", command: "/usr/bin/node", env: { KUBECONFIG: "/k/config", POLICY_PUBLIC_KEY: "pem" } } } });
    const endpoint = k8s?.source.kind === "endpoint" ? k8s.source.endpoint : undefined;
    expect(endpoint?.transport === "stdio" && endpoint.args[0]).toMatch(/mcp-servers\/bin\/autodevops-mcp-kubernetes\.mjs$/);
    expect(endpoint?.transport === "stdio" && endpoint.env).not.toHaveProperty("GITHUB_TOKEN");
  });

  it("runs all five of ours in this process by default, built from their variables", async () => {
    const r = load(fullEnv);
    if (!r.ok) throw new Error(formatMcpConfigIssues(r.error));
    expect(Object.values(r.value.servers).map((s) => s.source.kind)).toEqual(["in-process", "in-process", "in-process", "in-process", "in-process"]);
    const prometheus = r.value.servers.prometheus?.source;
    const spec = prometheus?.kind === "in-process" ? await prometheus.build(silentLog) : undefined;
    expect(spec?.tools.length).toBeGreaterThan(0);
  });

  it("runs ours in this process where it can be built here", () => {
    const build = async () => ({ name: "k", version: "1", instructions: "", tools: [] });
    const r = loadMcpServersConfig({ KUBECONFIG: "/k" }, { ownServers: { ...OWN_SERVERS, kubernetes: { ...OWN_SERVERS.kubernetes, build } } });
    expect(r.ok && r.value.servers.kubernetes?.source.kind).toBe("in-process");
  });

  it("adds third-party servers by command or URL, with ${VAR} from the environment, and drops a default with false", () => {
    const doc = {
      github: false,
      "k8s-community": { command: "kubernetes-mcp-server", args: ["--read-only", "--kubeconfig", "${KUBECONFIG}"], env: { HOME: "/tmp" }, allow: { jamie: ["pods_list"] } },
      remote: { url: "https://mcp.example.com/mcp", headers: { authorization: "Bearer ${REMOTE_TOKEN}" } },
      other: { url: "http://10.0.0.1:8080/mcp" },
    };
    const r = load({ ...fullEnv, MCP_SERVERS_FILE: "/etc/mcp.json" }, { "/etc/mcp.json": JSON.stringify(doc) });
    if (!r.ok) throw new Error(formatMcpConfigIssues(r.error));
    expect(r.value.servers["k8s-community"]).toMatchObject({
      decisionAware: false,
      allow: { jamie: ["pods_list"] },
      source: { kind: "endpoint", endpoint: { transport: "stdio", command: "kubernetes-mcp-server", args: ["--read-only", "--kubeconfig", "/k/config"] } },
    });
    expect(r.value.servers.other).toMatchObject({ source: { endpoint: { transport: "http", url: "http://10.0.0.1:8080/mcp" } } });
    expect(r.value.skipped).toEqual([
      { server: "github", reason: "disabled in the configuration" },
      { server: "remote", reason: "REMOTE_TOKEN is not set" },
    ]);
  });

  it("names every bad field, with where it came from", () => {
    const doc = {
      kubernetes: { run: "in-a-container" },
      bad: { command: "", args: "--port 1" },
      web: { url: "ftp://example.com", tools: { list: { timeoutMs: -5 } } },
      typo: { comand: "x" },
      extra: { url: "http://x/mcp", secret: "y" },
      "Bad Name": { url: "http://x/mcp" },
    };
    expect(issues(load({ ...fullEnv, MCP_SERVERS: JSON.stringify(doc) }))).toEqual([
      { path: "MCP_SERVERS.Bad Name", message: expect.stringContaining("server name of lowercase letters") },
    ]);
    delete (doc as Record<string, unknown>)["Bad Name"];
    expect(issues(load({ ...fullEnv, MCP_SERVERS: JSON.stringify(doc) }))).toEqual([
      { path: "MCP_SERVERS.kubernetes.run", message: "expected in-process or child-process" },
      { path: "MCP_SERVERS.bad.command", message: "expected the command that starts the server" },
      { path: "MCP_SERVERS.bad.args", message: expect.stringContaining("expected array") },
      { path: "MCP_SERVERS.web.url", message: "expected an http:// or https:// URL of the server's MCP endpoint" },
      { path: "MCP_SERVERS.web.tools.list.timeoutMs", message: expect.stringContaining(">=1") },
      { path: "MCP_SERVERS.typo", message: expect.stringContaining('expected "own"') },
      { path: "MCP_SERVERS.extra", message: "unknown field secret" },
    ]);
  });

  it("says what is wrong with the document itself", () => {
    expect(issues(load({ MCP_SERVERS: "{not json" }))).toEqual([{ path: "MCP_SERVERS", message: expect.stringMatching(/^not valid JSON/) }]);
    expect(issues(load({ MCP_SERVERS: "[1,2]" }))).toEqual([{ path: "MCP_SERVERS", message: expect.stringContaining("expected a JSON object of server name to server") }]);
    expect(issues(load({ MCP_SERVERS_FILE: "/nope.json" }))).toEqual([{ path: "MCP_SERVERS_FILE", message: "cannot read /nope.json: ENOENT: no such file" }]);
    expect(issues(load({ MCP_SERVERS: "{}", MCP_SERVERS_FILE: "/x" }))).toEqual([{ path: "MCP_SERVERS_FILE", message: "set either MCP_SERVERS or MCP_SERVERS_FILE, not both" }]);
    expect(formatMcpConfigIssues([{ path: "MCP_SERVERS.web.url", message: "expected a URL" }])).toBe("bad MCP server configuration:\n  - MCP_SERVERS.web.url: expected a URL");
  });
});
