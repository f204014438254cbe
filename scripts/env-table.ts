// Prints the README's table of environment variables from the config schema's docs.
// `node --import tsx scripts/env-table.ts` after adding a variable; a test keeps the README in step.
import { pathToFileURL } from "node:url";
import { ENV_DOCS } from "../packages/shared/src/config/env-schema.js";

export function envTable(): string {
  const rows = Object.entries(ENV_DOCS).map(
    ([name, doc]) => `| \`${name}\` | ${doc.default} | ${doc.description}${doc.secret ? " (secret)" : ""} |`,
  );
  return ["| variable | default | what it does |", "| --- | --- | --- |", ...rows].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(envTable());
