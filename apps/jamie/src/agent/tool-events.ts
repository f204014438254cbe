import { randomUUID } from "node:crypto";
import { z } from "zod";
import { redactSecretFields } from "@autodevops/shared";
import type { Emit } from "./chat-events.js";
import type { ReadToolbox } from "./read-tools.js";

/** How much of a tool's result an event carries: enough to show, not the whole log. */
export const MAX_EVENT_RESULT_CHARS = 1_500;

const SECRET_TEXT = [
  /(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /(\b(?:token|password|passwd|secret|api[_-]?key|authorization)\b["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+(?=@)/gi,
  /()\b(?:gh[pousr]_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|xox[abpr]-[A-Za-z0-9-]{10,})/g,
];

/** Tool text as an event may show it: credentials blanked, cut to `max` characters. */
export function redactToolText(text: string, max = MAX_EVENT_RESULT_CHARS): string {
  let out = text;
  for (const re of SECRET_TEXT) out = out.replace(re, "$1[Redacted]");
  return out.length > max ? `${out.slice(0, max)}… (${out.length - max} more characters)` : out;
}

const Args = z.record(z.string(), z.unknown());

/**
 * The toolbox as the assistant uses it: every call emits `tool` events (started, then done or
 * failed) and is refused when its arguments are not an object (a model's malformed call).
 */
export function observedToolbox(toolbox: ReadToolbox, emit: Emit, newId: () => string = randomUUID): ReadToolbox {
  return {
    listTools: () => toolbox.listTools(),
    async call(name, rawArgs = {}, opts) {
      const id = newId();
      const parsed = Args.safeParse(rawArgs);
      const args = parsed.success ? parsed.data : {};
      const shown = redactSecretFields(args);
      emit({ type: "tool", id, name, args: shown, status: "started" });
      if (!parsed.success) {
        const message = `the arguments of ${name} must be an object`;
        emit({ type: "tool", id, name, args: shown, status: "failed", result: message });
        return { ok: false, error: { code: "refused", reason: "invalid_arguments", message } };
      }
      const r = await toolbox.call(name, args, opts);
      if (r.ok) emit({ type: "tool", id, name, args: shown, status: "done", result: redactToolText(r.value.text) });
      else emit({ type: "tool", id, name, args: shown, status: "failed", result: redactToolText(r.error.message) });
      return r;
    },
  };
}
