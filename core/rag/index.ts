export { createKnowledgeBase, searchDefaults, type KnowledgeBase, type KnowledgeBaseDeps, type RetrieveOptions, type RetrievalResult, type SearchOptions, type IngestOptions } from './knowledge-base';
export { buildPromptBlock, estimateTokens, type RetrievedSource } from './prompt-block';
export { chunkText, type TextChunk, type ChunkOptions } from './chunker';
export { fileKindOf, type FileKind } from './file-kinds';
export { htmlToText } from './html-to-text';
export { byFile, candidatePool, fuseHybrid, vectorWeight, zScores } from './search';
export { kbHandlers } from './kb-methods';
export { createTurnRetrieval, type TurnRetrieval } from './turn-retrieval';
