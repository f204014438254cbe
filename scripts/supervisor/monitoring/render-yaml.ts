/**
 * Prometheus and Alertmanager read YAML, and JSON is YAML (a flow mapping); writing JSON keeps
 * every string quoted and intact (tokens, regexes, URLs) without a YAML library. The header's
 * `#` lines are YAML comments before the document.
 */
export function renderYaml(value: unknown, header: string[]): string {
  return `${header.map((line) => `# ${line}`.trimEnd()).join("\n")}\n${JSON.stringify(value, null, 2)}\n`;
}
