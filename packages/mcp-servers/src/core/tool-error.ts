/**
 * A failure the caller can act on (a bad query, an unknown object, a refused write): its message
 * goes back as the tool result with `isError`, so a model reads what to fix. Anything else thrown
 * is reported as an internal failure of the tool.
 */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}
