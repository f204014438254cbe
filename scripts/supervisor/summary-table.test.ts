import { describe, expect, it } from "vitest";
import { renderSummary } from "./summary-table.js";

describe("renderSummary", () => {
  const rows = [
    { name: "postgres", status: "ready" as const, url: "postgres://127.0.0.1:54329/autodevops", note: "embedded PostgreSQL" },
    { name: "migrate", status: "done" as const, url: "", note: "schema migrations" },
    { name: "jamie", status: "not built yet" as const, url: "", note: "chat portal; no apps/jamie/src/main.ts yet" },
  ];
  const credentials = [
    { label: "Postgres", value: "postgres://postgres:pw@127.0.0.1:54329/autodevops", note: "data in .data/postgres" },
    { label: "API key", value: "k3y", note: "AUTODEVOPS_API_KEY, generated for this run" },
  ];

  it("lists every component with its status and URL in aligned columns, then the credentials", () => {
    expect(renderSummary({ rows, credentials, color: false })).toBe(
      [
        "",
        "  Auto-DevOps is running.",
        "",
        "  COMPONENT  STATUS         URL",
        "  postgres   ready          postgres://127.0.0.1:54329/autodevops  embedded PostgreSQL",
        "  migrate    done                                                  schema migrations",
        "  jamie      not built yet                                         chat portal; no apps/jamie/src/main.ts yet",
        "",
        "  For the demo",
        "  Postgres  postgres://postgres:pw@127.0.0.1:54329/autodevops  data in .data/postgres",
        "  API key   k3y  AUTODEVOPS_API_KEY, generated for this run",
        "",
        "  Ctrl-C stops everything.",
        "",
      ].join("\n"),
    );
  });

  it("uses no escape codes without colour and colours statuses with it", () => {
    expect(renderSummary({ rows, credentials, color: false })).not.toContain("\u001b[");
    expect(renderSummary({ rows, credentials, color: true })).toContain("\u001b[32mready");
  });
});
