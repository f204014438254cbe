import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger, parseConfig } from "@autodevops/shared";
import { createScarletClient } from "../scarlet/scarlet-client.js";
import { startScarletStandIn, type ScarletStandIn } from "../scarlet/testing/scarlet-stand-in.js";
import { createAssistant } from "./assistant.js";
import type { ChatEvent } from "./chat-events.js";
import { jamieChatModel } from "./chat-model.js";
import { citationsInText } from "./llm-assistant.js";
import { startStreamingOllama, startStreamingOpenAi, toolResultsIn, type ChatRequest, type ScriptedTurn, type StreamingLlmStandIn } from "./testing/llm-stand-ins.js";
import { startJamieSandboxRig, type JamieSandboxRig } from "./testing/sandbox-rig.js";

const log = createLogger({ service: "jamie-test", level: "silent" });
let rig: JamieSandboxRig;
let scarlet: ScarletStandIn;
let ollama: StreamingLlmStandIn;
let openai: StreamingLlmStandIn;

beforeAll(async () => {
  [rig, scarlet, ollama, openai] = await Promise.all([startJamieSandboxRig(), startScarletStandIn(), startStreamingOllama(), startStreamingOpenAi()]);
}, 90_000);
afterAll(async () => {
  await Promise.all([ollama?.close(), openai?.close(), scarlet?.close()]);
  await rig?.close();
});

/** A model that lists shop's pods first, then answers quoting what the tool returned. */
function podsThenAnswer(req: ChatRequest): ScriptedTurn {
  const seen = toolResultsIn(req);
  if (!seen) return { toolCalls: [{ name: "kubernetes__list_pods", args: { cluster: "prod", namespace: "shop" } }] };
  const first = /"name": ?"(cart-[a-z0-9-]+)"/.exec(seen)?.[1] ?? "nothing";
  return { content: `Right, shop looks fine: ${first} is running, among others.\n[resource: prod/shop/deployment/cart]` };
}

const modelFor = (provider: "ollama" | "openai") => {
  const env = provider === "ollama" ? { OLLAMA_BASE_URL: ollama.url, OLLAMA_MODEL: "llama-standin" } : { OPENAI_API_KEY: "sk-test-standin-key", OPENAI_BASE_URL: openai.url, OPENAI_MODEL: "gpt-standin" };
  const config = parseConfig(env);
  if (!config.ok) throw new Error("config");
  const model = jamieChatModel(config.value.llm);
  if (!model) throw new Error(`no model for ${provider}`);
  return model;
};

describe.each(["ollama", "openai"] as const)("Jamie with a model over %s (a local stand-in)", (provider) => {
  it("calls a read tool against the sandbox, then streams an answer built on its result", async () => {
    const standIn = provider === "ollama" ? ollama : openai;
    standIn.requests.length = 0;
    standIn.script(podsThenAnswer);
    const recall = vi.fn(async () => [{ text: "cart crash-looped last Tuesday; a restart fixed it", score: 0.9, kind: "incident", metadata: { incidentId: "inc-old" } }]);
    const assistant = createAssistant({ toolbox: rig.toolbox, scarlet: createScarletClient({ baseUrl: scarlet.url, log }), recall, model: modelFor(provider), log });
    const events: ChatEvent[] = [];
    const r = await assistant.answer({ message: "how is shop looking?", conversationId: "c1", user: { id: "bob", role: "viewer" }, history: [{ role: "user", text: "hi" }, { role: "assistant", text: "Hello." }] }, (e) => events.push(e));

    // The tool really ran on the sandbox: the pod name in the answer is a live one.
    const live = await rig.toolbox.call("kubernetes__list_pods", { cluster: "prod", namespace: "shop" });
    expect(live.ok && live.value.text).toContain(/(cart-[a-z0-9-]+)/.exec(r.answer)?.[1] ?? "missing");
    expect(r.answer).toMatch(/^Right, shop looks fine: cart-[a-z0-9]+-[a-z0-9]+ is running, among others\./);
    const tools = events.filter((e): e is Extract<ChatEvent, { type: "tool" }> => e.type === "tool");
    expect(tools.map((t) => [t.name, t.status])).toEqual([
      ["kubernetes__list_pods", "started"],
      ["kubernetes__list_pods", "done"],
    ]);
    expect(tools[1]?.result).toMatch(/pods in prod\/shop/);
    // Streamed: several token events that add up to the answer, then done.
    const tokens = events.filter((e): e is Extract<ChatEvent, { type: "token" }> => e.type === "token");
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.map((t) => t.text).join("").trim()).toBe(r.answer);
    expect(r.citations).toEqual(expect.arrayContaining([{ kind: "resource", ref: "prod/namespace/shop", label: "list pods in prod/shop" }, { kind: "resource", ref: "prod/shop/deployment/cart" }]));
    expect(events.at(-1)).toEqual({ type: "done", answer: r.answer, citations: r.citations });

    // What the model was sent: the persona, the memory as context, the history, and only read tools.
    const firstRequest = standIn.requests[0]?.body;
    expect(firstRequest?.stream).toBe(true);
    const system = JSON.stringify(firstRequest?.messages?.[0]);
    expect(system).toMatch(/You are Jamie/);
    expect(system).toMatch(/cart crash-looped last Tuesday/);
    expect(firstRequest?.messages?.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    const offered = (firstRequest?.tools ?? []).map((t) => t.function?.name);
    expect(offered).toContain("kubernetes__list_pods");
    expect(offered.some((n) => /scale|restart|delete|rollback|drain|cordon|set_resources|patch/.test(n ?? ""))).toBe(false);
    expect(recall).toHaveBeenCalledWith("how is shop looking?", "bob");
  });

  it("cannot reach a write tool even when the model asks for one; the refusal goes back to the model", async () => {
    const standIn = provider === "ollama" ? ollama : openai;
    standIn.script((req) => {
      const seen = toolResultsIn(req);
      if (!seen) return { toolCalls: [{ name: "kubernetes__scale", args: { cluster: "prod", namespace: "shop", name: "checkout", replicas: 0 } }] };
      return { content: `I couldn't do that: ${seen.slice(0, 80)}` };
    });
    const spy = vi.spyOn(rig.toolbox, "call");
    const assistant = createAssistant({ toolbox: rig.toolbox, scarlet: createScarletClient({ baseUrl: scarlet.url, log }), model: modelFor(provider), log });
    const r = await assistant.answer({ message: "tell me a story about checkout", conversationId: "c2", user: { id: "eve", role: "admin" }, history: [] }, () => undefined);
    expect(r.answer).toMatch(/^I couldn't do that:/);
    const reads = new Set(rig.toolbox.listTools().map((t) => t.name));
    // The tool was never even offered, so no call reached the toolbox at all.
    expect(spy.mock.calls.filter(([name]) => !reads.has(name))).toEqual([]);
    spy.mockRestore();
  });

  it("falls back to the data when the model errors", async () => {
    const standIn = provider === "ollama" ? ollama : openai;
    standIn.script(() => ({ status: 500, error: "model exploded" }));
    const assistant = createAssistant({ toolbox: rig.toolbox, scarlet: createScarletClient({ baseUrl: scarlet.url, log }), model: modelFor(provider), log });
    const r = await assistant.answer({ message: "how's checkout?", conversationId: "c3", user: { id: "eve", role: "admin" }, history: [] }, () => undefined);
    expect(r.answer).toMatch(/^\(The model didn't answer: .*\)\ncheckout \(Deployment, prod\/shop\): \d\/2 ready/s);
  });
});

describe("change requests with a model configured", () => {
  it("never go to the model: they become a proposal to Scarlet", async () => {
    ollama.requests.length = 0;
    scarlet.requests.length = 0;
    const assistant = createAssistant({ toolbox: rig.toolbox, scarlet: createScarletClient({ baseUrl: scarlet.url, log }), model: modelFor("ollama"), log });
    const r = await assistant.answer({ message: "roll back payments", conversationId: "c4", user: { id: "dan", role: "viewer" }, history: [] }, () => undefined);
    expect(r.answer).toMatch(/proposed it: roll back shop\/payments, in prod/);
    expect(ollama.requests).toEqual([]);
    expect(scarlet.requests.map((x) => x.path)).toEqual(["/api/proposals"]);
  });
});

describe("citations a model writes", () => {
  it("are read from [kind: ref] and anything else is ignored", () => {
    expect(citationsInText("cart is down [resource: prod/shop/deployment/cart] see [log: {app=\"cart\"}] and [banana: x]")).toEqual([
      { kind: "resource", ref: "prod/shop/deployment/cart" },
      { kind: "log", ref: '{app="cart"}' },
    ]);
  });
});
