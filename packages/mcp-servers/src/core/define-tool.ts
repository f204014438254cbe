import type { z } from "zod";

/** Read tools only look; write tools change something and are destructive by definition here. */
export type ToolKind = "read" | "write";

export type ToolContext = {
  /** Aborted when the caller cancels or the tool's time is up. */
  signal: AbortSignal;
};

/** What a tool returns: a short text for people and models, and the structured result. */
export type ToolResult<O> = { summary: string; data: O };

/**
 * One MCP tool: its zod input (and output) schema, whether it reads or writes, and what it does.
 * The registry adds what every tool needs (annotations, timeout, output bound, Secret scrubbing,
 * errors as tool results), so a tool's file holds only its own logic.
 */
export interface ToolSpec<I extends z.ZodObject = z.ZodObject, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  /** The shape of `data`; declared to the client as the tool's outputSchema. */
  output: O;
  kind: ToolKind;
  /** Calling it twice with the same arguments has the effect of calling it once. */
  idempotent?: boolean;
  /** Talks to something outside this process (every tool here does, except pure helpers). */
  openWorld?: boolean;
  /** Overrides the server's default per-call timeout. */
  timeoutMs?: number;
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolResult<z.output<O>>>;
}

/** Keeps a tool's input and output types tied together where it is defined. */
export const defineTool = <I extends z.ZodObject, O extends z.ZodType>(spec: ToolSpec<I, O>): ToolSpec<I, O> => spec;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of tools of different schemas
export type AnyToolSpec = ToolSpec<any, any>;
