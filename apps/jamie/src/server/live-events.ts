import type { ServerResponse } from "node:http";
import type { EventBus, Logger, TopicName, Unsubscribe } from "@autodevops/shared";
import type { Route } from "./router.js";

/** The bus topics the pages follow live: incidents moving and approvals asked for or decided. */
const LIVE_TOPICS: TopicName[] = ["incident.updated", "incident.closed", "approval.requested", "approval.decided"];

/**
 * Server-sent events for the pages: every live topic's message goes to every open page as a
 * hint to re-read (the bus is a notification channel, not the record). A heartbeat keeps
 * proxies from closing an idle stream.
 */
export class LiveEvents {
  readonly #clients = new Set<ServerResponse>();
  #unsubscribe: Unsubscribe[] = [];
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger) {}

  async start(bus: EventBus): Promise<void> {
    for (const topic of LIVE_TOPICS) this.#unsubscribe.push(await bus.subscribe(topic, (e) => this.broadcast(topic, e.payload)));
    this.#heartbeat = setInterval(() => this.#write(": heartbeat\n\n"), 15_000);
    this.#heartbeat.unref();
  }

  broadcast(topic: string, payload: unknown): void {
    this.#write(`event: ${topic}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  get clients(): number {
    return this.#clients.size;
  }

  route(): Route {
    return {
      method: "GET",
      path: /^\/api\/events$/,
      role: "viewer",
      handler: async ({ req, res }) => {
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
        res.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
        this.#clients.add(res);
        req.on("close", () => this.#clients.delete(res));
      },
    };
  }

  #write(text: string): void {
    for (const c of this.#clients) if (!c.writableEnded) c.write(text);
  }

  async stop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await Promise.allSettled(this.#unsubscribe.map((u) => u()));
    for (const c of this.#clients) c.end();
    this.#clients.clear();
    this.log.debug("live events stopped");
  }
}
