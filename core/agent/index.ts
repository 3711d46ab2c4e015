export { createAgent, type Agent, type AgentDeps, type RunningTurn, type StartTurnInput } from './agent';
export { runChatTurn, type ChatTurnDeps, type ChatTurnRequest } from './chat-turn';
export { createEventBatcher } from './event-batcher';
export { computeTurnStats } from './turn-stats';
export { chatHandlers } from './chat-methods';
