// What the rest of Jamie (the portal's chat route, the Slack bot) uses of the assistant.
export { createAssistant, AnswerInput, type Assistant, type AssistantOptions } from "./assistant.js";
export { ChatEvent, Citation, type Emit, type Answer } from "./chat-events.js";
export { ChatUser, type Recall, type MemoryHit, type ScarletPort } from "./answers/context.js";
export { jamieChatModel, JAMIE_LLM_TIMEOUT_MS } from "./chat-model.js";
export { Intent, parseIntent } from "./intents.js";
export { systemPrompt } from "./persona.js";
