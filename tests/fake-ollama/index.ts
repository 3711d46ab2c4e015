/**
 * The fake Ollama server for tests. Import from here, not from the files.
 *
 *   import { startFakeOllama } from '../fake-ollama';
 */
export { startFakeOllama } from './server';
export type { FakeOllama, FakeOllamaOptions, LoggedRequest } from './server';
export { DEFAULT_MODELS, defaultBehaviour } from './behaviour';
export { BehaviourError } from './behaviour-validation';
export type {
  Behaviour,
  BehaviourPatch,
  Failure,
  FailureKind,
  FakeEndpoint,
  FakeModel,
  FakeToolCall,
  ModelBehaviour,
} from './behaviour';
export {
  countMessageTokens,
  countTokens,
  defaultReplyTokens,
  defaultThinkingTokens,
  splitIntoTokens,
} from './tokens';
export { cosineSimilarity, hashEmbedder } from './embed';
export { float32Base64 } from './openai-embed-endpoint';
export type { Embedder, EmbedInput } from './embed';
export { createWordVectorEmbedder, loadWinkVectors, winkAvailable, winkEmbedder, type WordVectors } from './wink-embedder';
