import type { EmbedAnswer } from '../../core/llm';
import { describe, expect, it } from 'vitest';
import { createMemoryFactIndex } from '../../core/memory/fact-index';
import { tempDir, testMemoryStore } from '../support/core-harness';

describe('listing memories while one is deleted', () => {
  it('does not list a fact deleted while the search was embedding its query', async () => {
    const dataDir = tempDir('bruno-mem-race-');
    let embedStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (embedStarted = resolve));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slow = false;
    const { store, close } = testMemoryStore(dataDir, {
      embed: async ({ input }) => {
        if (slow) {
          embedStarted();
          await gate;
        }
        return { model: 'e', embeddings: input.map(() => [1, 0, 0]) } satisfies EmbedAnswer;
      },
      openFactIndex: async () => createMemoryFactIndex(),
    });
    const nas = await store.addMemory({ type: 'semantic', text: 'The NAS lives at 10.0.0.5' });
    await store.addMemory({ type: 'semantic', text: 'The router is at 10.0.0.1' });
    // Index both facts first, so the listing below only waits on the query's embedding.
    expect((await store.listMemories({ query: 'NAS' })).map((m) => m.text)).toContain('The NAS lives at 10.0.0.5');

    slow = true;
    const listing = store.listMemories({ query: 'NAS' });
    await started;
    expect(await store.deleteMemory(nas.id)).toEqual({ deleted: true });
    release();
    const listed = (await listing).map((m) => m.text);
    expect(listed).not.toContain('The NAS lives at 10.0.0.5');
    expect(listed).toContain('The router is at 10.0.0.1');
    await close();
  });
});
