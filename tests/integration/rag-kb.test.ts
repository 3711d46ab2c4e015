// The knowledge base over a real LanceDB store and the fake Ollama: ingestion (skips, incremental,
// embedding cache, model change), search modes and fusion, retrieve's spans and metrics, kb.* handlers.
import { chmodSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, hashEmbedder, startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Embedder } from '../fake-ollama/embed';
import type { KbProgressEvent } from '../../core/common';
import { parseInvokeInput } from '../../core/common';
import type { Core } from '../../core/runtime';
import { tempDir, testCore } from '../support/core-harness';

/** Hash embeddings plus a strong shared "storage" direction, so NAS/NFS/disk texts are close without sharing words. */
const storageWords = ['nas', 'nfs', 'storage', 'disk', 'zfs'];
const conceptEmbedder: Embedder = async (input) => {
  const base = await hashEmbedder(input);
  const words = input.text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const weight = words.filter((w) => storageWords.includes(w)).length;
  const v = base.map((x, i) => (i === 0 ? x + 2 * weight : x));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), body);
  }
}

const metricValue = (text: string, line: RegExp) => Number(text.split('\n').find((l) => line.test(l))?.split(' ').pop() ?? NaN);

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({
    embedder: conceptEmbedder,
    models: [...DEFAULT_MODELS, { name: 'mxbai-embed-large', family: 'bert', parameterSize: '335M', quantization: 'F16', maxContext: 512, size: 669_000_000, embedding: true, embeddingLength: 1024, kvBytesPerToken: 0 }],
  });
});
afterAll(async () => {
  await fake?.close();
});

const cores: Core[] = [];
function kbCore(env: Record<string, string> = {}): Core {
  const core = testCore({ OLLAMA_HOST: fake.url, ...env });
  cores.push(core);
  return core;
}
afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
});

describe('search modes over a small corpus', () => {
  let core: Core;
  let root: string;
  beforeAll(async () => {
    root = tempDir('bruno-kb-');
    write(root, {
      'nas.md': '# NAS\n\nThe NAS exports NFS shares to the cluster from its ZFS pool.',
      'codename.md': '# Build server\n\nxyzzy42 is the codename of the old build server in the garage.',
      'disk1.md': '# Bay 1\n\nReplace the disk in bay one when SMART warns.',
      'disk2.md': '# Bay 2\n\nThe second disk sits in bay two.',
      'dns.md': '# DNS\n\nPi-hole answers DNS queries for the whole network.',
      'grafana.yaml': 'services:\n  grafana:\n    image: grafana/grafana:11\n    ports: ["3000:3000"]\n',
    });
    core = kbCore();
    await core.knowledge.ingest([root]);
  });

  it('vector search ranks by meaning, full-text by words, hybrid fuses both', async () => {
    const query = 'xyzzy42 storage';
    const vector = await core.knowledge.search(query, { mode: 'vector', k: 2 });
    const fts = await core.knowledge.search(query, { mode: 'fts', k: 2 });
    const hybrid = await core.knowledge.search(query, { mode: 'hybrid', k: 2 });
    const names = (r: typeof vector) => r.hits.map((h) => h.path.split('/').pop());
    expect(names(vector)[0]).toBe('nas.md');
    expect(names(vector)).not.toContain('codename.md');
    expect(names(fts)).toEqual(['codename.md']);
    // the keyword-only document and the meaning-only document both make the fused top 2
    expect(names(hybrid).sort()).toEqual(['codename.md', 'nas.md']);
    const codename = hybrid.hits.find((h) => h.path.endsWith('codename.md'))!;
    expect(codename.scores.ftsRank).toBe(1);
    expect(codename.scores.fused).toBeCloseTo(codename.score, 12);
    expect(hybrid.hits.find((h) => h.path.endsWith('nas.md'))!.scores.ftsRank).toBeUndefined();
    expect(hybrid.hits[0]).toMatchObject({ heading: expect.any(String), snippet: expect.any(String) });
    expect(hybrid.embeddingVersion).toBe('nomic-embed-text@768');
  });

  it('finds YAML by its words and answers an empty result for an unknown word', async () => {
    const r = await core.knowledge.search('grafana image', { mode: 'fts', k: 3 });
    expect(r.hits[0]!.path).toMatch(/grafana\.yaml$/);
    expect((await core.knowledge.search('qwertyuiop', { mode: 'fts' })).hits).toEqual([]);
  });

  it('retrieve runs rag_query > embed_query, semantic_search, keyword_search, fusion_rerank and records the RAG metrics', async () => {
    const { ROOT_CONTEXT, trace } = await import('@opentelemetry/api');
    const parent = core.telemetry.tracer.startSpan('agent.turn');
    const result = await core.knowledge.retrieve('where is the NFS storage', { k: 3, tokenBudget: 500, parent: trace.setSpan(ROOT_CONTEXT, parent) });
    parent.end();
    expect(result.sources.length).toBeGreaterThan(0);
    expect(result.sources[0]!.n).toBe(1);
    expect(result.promptBlock).toMatch(/^Sources from the knowledge base/);
    expect(result.promptBlock).toContain('[1] ');
    expect(result.tokens).toBeLessThanOrEqual(500);

    const spans = await core.handlers['traces.get']({ traceId: parent.spanContext().traceId });
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    const rag = byName('rag_query');
    expect(rag.parentSpanId).toBe(parent.spanContext().spanId);
    for (const child of ['embed_query', 'semantic_search', 'keyword_search', 'fusion_rerank']) expect(byName(child).parentSpanId).toBe(rag.spanId);
    expect(byName('embeddings nomic-embed-text').parentSpanId).toBe(byName('embed_query').spanId);
    expect(byName('embed_query').attributes.vector_dim).toBe(768);
    expect(byName('fusion_rerank').attributes.final_count).toBe(3);
    expect(rag.attributes.total_results).toBe(3);

    const text = await core.telemetry.registry.metrics();
    for (const stage of ['query_embedding', 'semantic_search', 'keyword_search', 'fusion_rerank']) {
      expect(metricValue(text, new RegExp(`^rag_retrieval_latency_seconds_count\\{stage="${stage}"\\}`))).toBeGreaterThanOrEqual(1);
    }
    expect(metricValue(text, /^rag_documents_retrieved_count /)).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, /^rag_chunk_relevance_score_count /)).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, /^agent_context_token_usage_sum /)).toBeGreaterThan(0);
    expect(metricValue(text, /^agent_context_diversity_score /)).toBe(1);
    expect(metricValue(text, /^bruno_knowledge_documents /)).toBe(6);
    expect(metricValue(text, /^bruno_knowledge_chunks /)).toBe(6);
    expect(metricValue(text, /^bruno_knowledge_bytes /)).toBeGreaterThan(200);
  });
});

describe('ingestion', () => {
  it('skips binaries, huge, unreadable, symlink loops and paths outside the root, with reasons', async () => {
    const outside = tempDir('bruno-outside-');
    write(outside, { 'secret.md': '# Secret\n\nnot for the knowledge base' });
    const root = tempDir('bruno-kb-');
    write(root, {
      'ok.md': '# Fine\n\nA normal note.',
      'blob.txt': Buffer.from([0x68, 0x69, 0x00, 0x01]),
      'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x74, 0x65]),
      'huge.md': 'x'.repeat(5_000_001),
      'image.png': Buffer.from([0x89, 0x50]),
    });
    symlinkSync(join(root, 'loop-a'), join(root, 'loop-b.md'));
    symlinkSync(join(root, 'loop-b.md'), join(root, 'loop-a'));
    mkdirSync(join(root, 'dir'));
    symlinkSync('..', join(root, 'dir', 'up'));
    symlinkSync(join(outside, 'secret.md'), join(root, 'escape.md'));
    symlinkSync('../../../../../../../../' + outside.slice(1), join(root, 'traversal'));
    symlinkSync(join(root, 'missing.md'), join(root, 'dangling.md'));
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) {
      write(root, { 'locked.md': 'secret' });
      chmodSync(join(root, 'locked.md'), 0o000);
    }
    const core = kbCore();
    const summary = await core.knowledge.ingest([root]);
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.path.slice(root.length + 1), s.reason]));
    expect(reasons).toMatchObject({
      'blob.txt': 'binary',
      'latin1.txt': 'binary',
      'huge.md': 'too_large',
      'image.png': 'unsupported_type',
      'loop-a': 'symlink_loop',
      'loop-b.md': 'symlink_loop',
      'dir/up': 'symlink_loop',
      'escape.md': 'outside_roots',
      traversal: 'outside_roots',
      'dangling.md': 'unreadable',
      ...(asRoot ? {} : { 'locked.md': 'unreadable' }),
    });
    expect(summary.filesIngested).toBe(1);
    const hits = await core.knowledge.search('secret', { mode: 'fts' });
    expect(hits.hits).toEqual([]);
  });

  it('re-ingests incrementally: unchanged skipped, changed replaced, deleted removed; the embedding cache is counted', async () => {
    const root = tempDir('bruno-kb-');
    const long = (topic: string) => `# ${topic}\n\n` + Array.from({ length: 40 }, (_, i) => `${topic} paragraph ${i} explains one more thing about ${topic} in plenty of words.`).join('\n\n');
    write(root, { 'a.md': long('alpha'), 'b.md': long('bravo'), 'c.md': long('charlie') });
    const dataDir = tempDir();
    const core = kbCore({ BRUNO_DATA_DIR: dataDir });
    const first = await core.knowledge.ingest([root]);
    expect(first).toMatchObject({ filesIngested: 3, filesUnchanged: 0, filesRemoved: 0 });
    const chunksPerFile = first.chunksAdded / 3;
    expect(chunksPerFile).toBeGreaterThanOrEqual(1);

    const again = await core.knowledge.ingest([root]);
    expect(again).toMatchObject({ filesIngested: 0, filesUnchanged: 3, chunksAdded: 0, embeddedTexts: 0 });

    // change one paragraph of a.md: its other chunks come from the cache; delete c.md
    write(root, { 'a.md': long('alpha').replace('paragraph 5', 'paragraph FIVE (edited)') });
    unlinkSync(join(root, 'c.md'));
    // A new process: the unchanged chunks' vectors come from the store, not from Ollama.
    await core.close();
    const next = kbCore({ BRUNO_DATA_DIR: dataDir });
    const hitsOf = async () => metricValue(await next.telemetry.registry.metrics(), /^llm_cache_hits_total\{cache_type="embedding"\}/);
    const before = await hitsOf();
    const third = await next.knowledge.ingest([root]);
    expect(third).toMatchObject({ filesIngested: 1, filesUnchanged: 1, filesRemoved: 1 });
    expect(third.cacheHits).toBeGreaterThan(0);
    expect(third.embeddedTexts).toBeLessThan(chunksPerFile);
    expect((await hitsOf()) - before).toBe(third.cacheHits);
    expect((await next.knowledge.search('charlie', { mode: 'fts' })).hits).toEqual([]);
    expect((await next.knowledge.search('edited', { mode: 'fts' })).hits[0]!.path).toBe(join(root, 'a.md'));
    const [source] = await next.knowledge.sources();
    expect(source).toMatchObject({ root, files: 2, chunks: first.chunksAdded - chunksPerFile, embeddingVersion: 'nomic-embed-text@768' });
  });

  it('re-embeds everything when the embedding model changes, and drops the old vectors', async () => {
    const dataDir = tempDir();
    const root = tempDir('bruno-kb-');
    write(root, { 'a.md': '# A\n\nthe NAS address', 'b.md': '# B\n\nthe router address' });
    const first = kbCore({ BRUNO_DATA_DIR: dataDir });
    await first.knowledge.ingest([root]);
    await first.close();

    const second = kbCore({ BRUNO_DATA_DIR: dataDir, BRUNO_EMBED_MODEL: 'mxbai-embed-large' });
    const stale = await second.knowledge.search('NAS', { mode: 'hybrid' });
    expect(stale.hits).toEqual([]);
    expect(stale.warning).toMatch(/another model.*ingest --all/);
    fake.clearRequests();
    const summary = await second.knowledge.reingest();
    expect(summary).toMatchObject({ filesIngested: 2, filesUnchanged: 0, embeddingVersion: 'mxbai-embed-large@1024' });
    expect(fake.requests.filter((r) => r.path === '/api/embed').every((r) => (r.body as { model: string }).model === 'mxbai-embed-large')).toBe(true);
    const found = await second.knowledge.search('NAS address', { mode: 'vector', k: 1 });
    expect(found.embeddingVersion).toBe('mxbai-embed-large@1024');
    expect(found.hits[0]!.path).toBe(join(root, 'a.md'));
    expect((await second.knowledge.sources())[0]!.embeddingVersion).toBe('mxbai-embed-large@1024');
  });

  it('a missing embedding model says how to pull it', async () => {
    const root = tempDir('bruno-kb-');
    write(root, { 'a.md': 'hello' });
    const core = kbCore({ BRUNO_EMBED_MODEL: 'not-pulled-embed' });
    await expect(core.knowledge.ingest([root])).rejects.toThrow(/ollama pull not-pulled-embed/);
    await expect(core.knowledge.ingest([join(root, 'nope')])).rejects.toThrow(/No such file or folder/);
  });
});

describe('store problems', () => {
  it('a corrupted store gives a clear error naming it; the chat and the files stay', async () => {
    const dataDir = tempDir();
    const store = join(dataDir, 'kb-store');
    const root = tempDir('bruno-kb-');
    write(root, { 'a.md': '# A\n\nthe NAS address is 10.0.0.5' });
    const first = kbCore({ BRUNO_DATA_DIR: dataDir, BRUNO_STORE_URI: store });
    await first.knowledge.ingest([root]);
    await first.close();
    const { readdirSync } = await import('node:fs');
    const table = readdirSync(store).find((n) => n.startsWith('kb_chunks__'))!;
    for (const f of readdirSync(join(store, table, '_versions'))) writeFileSync(join(store, table, '_versions', f), 'garbage');

    const core = kbCore({ BRUNO_DATA_DIR: dataDir, BRUNO_STORE_URI: store });
    await expect(core.knowledge.search('NAS', { mode: 'fts' })).rejects.toThrow(new RegExp(`store ${store} is corrupted .*move that folder aside`));
    await expect(core.handlers['kb.search']({ query: 'NAS' })).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining(store) });
    const { runTurn } = await import('../support/core-harness');
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end.type).toBe('done');
    expect(readdirSync(store)).toContain(table);
  });

  it('a store path that is a file is reported, not crashed on', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'not-a-dir');
    writeFileSync(file, 'x');
    const root = tempDir('bruno-kb-');
    write(root, { 'a.md': 'hello' });
    const core = kbCore({ BRUNO_DATA_DIR: dataDir, BRUNO_STORE_URI: file });
    await expect(core.knowledge.ingest([root])).rejects.toThrow(new RegExp(`Knowledge base store ${file} .*BRUNO_STORE_URI`));
    rmSync(file);
  });
});

describe('kb.* contract', () => {
  it('validates inputs', () => {
    expect(() => parseInvokeInput('kb.ingest', { paths: ['relative/dir'] })).toThrow(/paths.0: must be an absolute path/);
    expect(() => parseInvokeInput('kb.ingest', { paths: [] })).toThrow(/give at least one path/);
    expect(() => parseInvokeInput('kb.ingest', { paths: ['/a\u0000b'] })).toThrow(/NUL/);
    expect(() => parseInvokeInput('kb.search', { query: '  ' })).toThrow(/query is empty/);
    expect(() => parseInvokeInput('kb.search', { query: 'x', mode: 'magic' })).toThrow(/hybrid/);
    expect(() => parseInvokeInput('kb.search', { query: 'x', k: 0 })).toThrow(/k/);
    expect(() => parseInvokeInput('kb.remove', { sourceId: 'x', path: '/y' })).toThrow(/sourceId or path/);
    expect(parseInvokeInput('kb.search', { query: 'nas', mode: 'fts', k: 3 })).toEqual({ query: 'nas', mode: 'fts', k: 3 });
  });

  it('ingest emits kb.progress and a summary; sources, search, reingest and remove work over the handlers', async () => {
    const root = tempDir('bruno-kb-');
    write(root, { 'a.md': '# A\n\nthe NAS address is 10.0.0.5', 'b.md': '# B\n\nrouter notes' });
    const core = kbCore();
    const events: KbProgressEvent[] = [];
    core.events.on('kb.progress', (e) => events.push(e));
    const ended = (jobId: string) =>
      new Promise<KbProgressEvent>((resolve) => {
        const off = core.events.on('kb.progress', (e) => {
          if (e.jobId === jobId && (e.type === 'done' || e.type === 'error')) {
            off();
            resolve(e);
          }
        });
      });
    const { jobId } = await core.handlers['kb.ingest']({ paths: [root] });
    const end = await ended(jobId);
    expect(end).toMatchObject({ type: 'done', summary: { filesIngested: 2 } });
    expect(events.some((e) => e.type === 'progress' && e.jobId === jobId && e.phase === 'ingesting')).toBe(true);

    const sources = await core.handlers['kb.sources'](undefined);
    expect(sources).toMatchObject([{ root, files: 2 }]);
    const search = await core.handlers['kb.search']({ query: 'NAS address', mode: 'hybrid', k: 1 });
    expect(search.hits[0]!.path).toBe(join(root, 'a.md'));

    const re = await core.handlers['kb.reingest']({ sourceId: sources[0]!.id });
    expect(await ended(re.jobId)).toMatchObject({ type: 'done', summary: { filesUnchanged: 2 } });

    // Roots are checked before a job starts (knowledge.allowedRoots): kb.ingest itself answers the error.
    await expect(core.handlers['kb.ingest']({ paths: [join(root, 'missing')] })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/No such file/) });

    await expect(core.handlers['kb.remove']({ path: join(root, 'sub', '..', '..') })).rejects.toMatchObject({ code: 'not_found' });
    expect(await core.handlers['kb.remove']({ path: join(root, 'x', '..') })).toEqual({ removed: true, files: 2, chunks: 2 });
    expect(await core.handlers['kb.sources'](undefined)).toEqual([]);
    expect((await core.handlers['kb.search']({ query: 'NAS', mode: 'fts' })).hits).toEqual([]);
    await expect(core.handlers['kb.reingest'](undefined)).resolves.toMatchObject({ jobId: expect.any(String) });
  });
});
