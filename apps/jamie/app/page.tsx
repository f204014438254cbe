"use client";
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { getJson, postJson, postStream } from "./_lib/api";
import type { Citation, Message, ToolCall } from "./_lib/types";
import { Citations } from "./_components/Citations";

type ConversationSummary = { id: string; title: string; updatedAt: string };

function ToolCalls({ tools }: { tools: ToolCall[] }) {
  if (tools.length === 0) return null;
  return (
    <div className="tools">
      {tools.map((t, i) => (
        <details key={t.id ?? i}>
          <summary>
            {t.status === "started" ? "⏳" : t.status === "failed" ? "✗" : "✓"} {t.name}
          </summary>
          <pre>{JSON.stringify(t.args, null, 2)}</pre>
          {t.result !== undefined && <pre>{t.result}</pre>}
        </details>
      ))}
    </div>
  );
}

export default function Chat() {
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [current, setCurrent] = useState<string | undefined>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const end = useRef<HTMLDivElement>(null);

  const loadList = useCallback(() => void getJson<{ conversations: ConversationSummary[] }>("/api/conversations").then((r) => setConversations(r.conversations), () => undefined), []);
  useEffect(loadList, [loadList]);
  // A block body on purpose: scrollIntoView returns a promise in newer Chromium, and an effect must return nothing but a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [messages]);

  const open = async (id: string) => {
    setCurrent(id);
    const r = await getJson<{ messages: Message[] }>(`/api/conversations/${id}`);
    setMessages(r.messages);
  };

  const ask = async (e?: FormEvent) => {
    e?.preventDefault();
    const message = draft.trim();
    if (!message || busy) return;
    setDraft("");
    setBusy(true);
    setError("");
    const answer: Message = { role: "assistant", text: "", citations: [], tools: [] };
    setMessages((m) => [...m, { role: "user", text: message, citations: [], tools: [] }, answer]);
    const update = (f: (a: Message) => Message) => setMessages((m) => [...m.slice(0, -1), f(m[m.length - 1] ?? answer)]);
    try {
      await postStream("/api/chat", { message, ...(current ? { conversationId: current } : {}) }, (event, data) => {
        const d = data as Record<string, unknown>;
        if (event === "conversation") setCurrent(String(d.conversationId));
        else if (event === "token") update((a) => ({ ...a, text: a.text + String(d.text) }));
        else if (event === "tool") update((a) => ({ ...a, tools: [...a.tools.filter((t) => t.id !== d.id), d as unknown as ToolCall] }));
        else if (event === "citation") update((a) => ({ ...a, citations: [...a.citations, d.citation as Citation] }));
        else if (event === "done") update((a) => ({ ...a, id: String(d.messageId), text: String(d.answer), citations: d.citations as Citation[] }));
        else if (event === "error") setError(String(d.error));
      });
      loadList();
    } catch (err) {
      setError(err instanceof Error ? err.message : "the question did not get through");
    } finally {
      setBusy(false);
    }
  };

  const rate = async (m: Message, rating: "up" | "down") => {
    if (!m.id) return;
    await postJson("/api/feedback", { messageId: m.id, rating });
    setMessages((all) => all.map((x) => (x.id === m.id ? { ...x, feedback: rating } : x)));
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey) void ask(e);
  };

  return (
    <div className="chat">
      <aside className="panel" aria-label="Conversations">
        <button className="primary" onClick={() => { setCurrent(undefined); setMessages([]); }}>New conversation</button>
        <h2>History</h2>
        <div className="convs">
          {conversations.length === 0 && <span className="muted small">Nothing yet.</span>}
          {conversations.map((c) => (
            <a key={c.id} href={`#${c.id}`} aria-current={c.id === current ? "true" : undefined} onClick={(e) => { e.preventDefault(); void open(c.id); }}>{c.title}</a>
          ))}
        </div>
      </aside>
      <section aria-label="Chat with Jamie">
        <h1>Ask Jamie</h1>
        <div className="thread" aria-live="polite">
          {messages.length === 0 && <p className="muted">Try “what’s wrong in shop?”, “why did cart restart?”, “what changed in checkout?”, “pending approvals”.</p>}
          {messages.map((m, i) => (
            <div key={m.id ?? i} className={`msg ${m.role}`}>
              {m.role === "assistant" && <ToolCalls tools={m.tools} />}
              <div>{m.text || (busy && i === messages.length - 1 ? "…" : "")}</div>
              {m.role === "assistant" && <Citations items={m.citations} />}
              {m.role === "assistant" && m.id && (
                <div className="row small" style={{ marginTop: 6 }}>
                  <button aria-label="Helpful" aria-pressed={m.feedback === "up"} onClick={() => void rate(m, "up")}>▲ Helpful</button>
                  <button aria-label="Not helpful" aria-pressed={m.feedback === "down"} onClick={() => void rate(m, "down")}>▼ Not helpful</button>
                </div>
              )}
            </div>
          ))}
          <div ref={end} />
        </div>
        {error && <p className="error" role="alert">{error}</p>}
        <form className="ask" onSubmit={(e) => void ask(e)}>
          <label htmlFor="question" className="skip">Your question</label>
          <textarea id="question" value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} placeholder="Ask about the estate…" maxLength={4000} />
          <button className="primary" type="submit" disabled={busy || !draft.trim()}>{busy ? "Thinking…" : "Ask"}</button>
        </form>
      </section>
    </div>
  );
}
