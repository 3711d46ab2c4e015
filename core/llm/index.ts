export { createOllamaClient, type OllamaClient, type OllamaClientConfig, type ChatStreamRequest, type ChatResponse, type EmbedResponse, type Message, type RunningModel, type RunningModels, type ChatBatches } from './ollama-client';
export { missingDoneMessage } from './chat-stream';
export { defaultMaxLineChars, type MalformedLineSink } from './ndjson-reader';
export { classifyOllamaError, type AbortReason, type ErrorContext } from './ollama-errors';
export { listModels } from './list-models';
export { createContextWindowResolver, reloadThresholdNs, type ContextWindow, type ContextWindowResolver, type ContextWindowSource } from './context-window';
export type { Embed, EmbedCall } from './embed-port';
export { modelsHandlers } from './models-methods';
