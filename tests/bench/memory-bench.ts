/**
 * A big conversation store starts instantly (issue 18): generates 3,000 conversations as the app
 * writes them (a question, deltas every 500 ms, the end of each turn), then starts the built
 * `agent-bruno serve` on it, fresh process each time, and measures start to the first answered
 * `/api/v1/health`, to the first `conversations.list` (the journal is read, and compacted when
 * it holds per-turn records), opening one conversation, a search, and the RSS. Baseline: the same
 * server on an empty data dir, in the same run. Not part of `npm test`; prints numbers.
 *
 *   npm run bench:memory                                  # 3,000 conversations x 6 turns, 3 starts each
 *   npm run bench:memory -- --conversations 10000 --turns 6 --starts 5
 *   npm run bench:memory -- --kb-store /tmp/store100k   # the big data dir also holds this knowledge base
 *     (a LanceDB folder, e.g. the 100k-chunk store RAG_BENCH_KEEP keeps; its embedding model is
 *     `bench-embed`); kb.sources is then timed too (it opens the store and reads the manifest)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { memoryJournalPath } from '../../core/memory';
import { startFakeOllama } from '../fake-ollama';
import { assertBuilt, cliBin } from '../support/built-app';
import { tempDir } from '../support/core-harness';
import { median } from './stats';

const { values: args } = parseArgs({ options: { conversations: { type: 'string', default: '3000' }, turns: { type: 'string', default: '6' }, starts: { type: 'string', default: '3' }, 'kb-store': { type: 'string' } } });
const kbStore = args['kb-store'];
const conversations = Number(args.conversations);
const turns = Number(args.turns);
const starts = Number(args.starts);
const token = 'memory-bench-token-0123456789abcdef';

const vocabulary = 'zfs scrub pool snapshot restic backup grafana prometheus alert loki tempo nas router vlan dns dhcp proxmox kubernetes node disk smart raid ceph nginx certificate renew cron systemd journal docker compose traefik wireguard tailscale ups battery fan temperature'.split(' ');
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sentence = (n: number) => Array.from({ length: n }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' ');

/** The journal the app would have written: per turn a question, three deltas, the end. */
function generate(dataDir: string): { bytes: number; records: number } {
  const path = memoryJournalPath(dataDir);
  mkdirSync(`${dataDir}/memory`, { recursive: true });
  const lines: string[] = [];
  let t = Date.UTC(2025, 0, 1);
  const at = () => new Date((t += 1000)).toISOString();
  for (let c = 0; c < conversations; c++) {
    const id = `conv-${c}`;
    const question = `how do I ${sentence(8)}?`;
    lines.push(JSON.stringify({ t: 'conv', c: id, title: question.slice(0, 60), at: at() }));
    for (let k = 0; k < turns; k++) {
      const turnId = `${id}-t${k}`;
      lines.push(JSON.stringify({ t: 'msg', c: id, id: `${turnId}-u`, turnId, content: k ? `and ${sentence(10)}?` : question, model: 'llama3.2', at: at() }));
      const answer = [sentence(30), sentence(30), sentence(30)];
      for (const part of answer) lines.push(JSON.stringify({ t: 'delta', c: id, id: `${turnId}-a`, turnId, text: part + ' ', at: at() }));
      lines.push(JSON.stringify({ t: 'end', c: id, id: `${turnId}-a`, turnId, status: 'done', content: answer.join(' '), model: 'llama3.2', stats: { model: 'llama3.2', ttft_s: 0.2, eval_count: 120, tokens_per_second: 40 }, sources: [{ n: 1, path: 'notes/zfs.md', heading: 'Scrub', snippet: sentence(12) }], traceId: '0123456789abcdef0123456789abcdef', error: null, at: at() }));
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return { bytes: statSync(path).size, records: lines.length };
}

const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
  return m ? Number(m[1]) / 1024 : NaN;
};

interface Start {
  healthMs: number;
  listMs: number;
  openMs: number;
  searchMs: number;
  kbSourcesMs: number;
  kbChunks: number;
  rssAtHealthMb: number;
  rssAfterMb: number;
  peakRssMb: number;
  listed: number;
}

async function startOnce(dataDir: string, ollama: string, withKb = false): Promise<Start> {
  const port = 17_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [cliBin, 'serve', '--port', String(port)], {
    env: { PATH: process.env.PATH ?? '', BRUNO_DATA_DIR: dataDir, BRUNO_API_TOKEN: token, OLLAMA_HOST: ollama, LANCEDB_LOG: 'error', ...(withKb && kbStore ? { BRUNO_STORE_URI: kbStore, BRUNO_EMBED_MODEL: 'bench-embed' } : {}) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const invoke = async (method: string, input: unknown) => {
    const res = await fetch(`${base}/api/v1/invoke/${method}`, { method: 'POST', headers, body: JSON.stringify(input) });
    const body = (await res.json()) as { ok: boolean; result: unknown; error?: unknown };
    if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  try {
    let healthMs = NaN;
    while (performance.now() - t0 < 30_000) {
      if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
      const res = await fetch(`${base}/api/v1/health`, { headers }).catch(() => null);
      if (res?.ok) {
        await res.arrayBuffer();
        healthMs = performance.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const rssAtHealthMb = rssMb(child.pid!, 'VmRSS');
    const list = (await invoke('conversations.list', { limit: 50 })) as { id: string }[];
    const listMs = performance.now() - t0;
    let t = performance.now();
    if (list.length) await invoke('conversations.get', { conversationId: list[list.length - 1]!.id });
    const openMs = performance.now() - t;
    t = performance.now();
    await invoke('conversations.list', { query: 'zfs scrub pool', limit: 20 });
    const searchMs = performance.now() - t;
    let kbSourcesMs = NaN;
    let kbChunks = NaN;
    if (withKb && kbStore) {
      t = performance.now();
      kbChunks = ((await invoke('kb.sources', {})) as { chunks: number }[]).reduce((n, src) => n + src.chunks, 0);
      kbSourcesMs = performance.now() - t;
    }
    return { healthMs, listMs, openMs, searchMs, kbSourcesMs, kbChunks, rssAtHealthMb, rssAfterMb: rssMb(child.pid!, 'VmRSS'), peakRssMb: rssMb(child.pid!, 'VmHWM'), listed: list.length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

function summarize(name: string, runs: Start[]) {
  const pick = (k: keyof Start) => median(runs.map((r) => r[k]));
  return { name, starts: runs.length, healthMs: pick('healthMs'), listMs: pick('listMs'), openMs: pick('openMs'), searchMs: pick('searchMs'), kbSourcesMs: pick('kbSourcesMs'), kbChunks: pick('kbChunks'), rssAtHealthMb: pick('rssAtHealthMb'), rssAfterMb: pick('rssAfterMb'), peakRssMb: pick('peakRssMb'), listed: pick('listed') };
}

assertBuilt();
const fake = await startFakeOllama({ tokensPerSecond: 0 });
try {
  const empty = tempDir('bruno-membench-empty-');
  const big = tempDir('bruno-membench-big-');
  const generated = generate(big);
  console.log(`generated ${conversations} conversations x ${turns} turns: ${generated.records} records, ${(generated.bytes / 1e6).toFixed(1)} MB journal`);

  const baseline: Start[] = [];
  const compactedStarts: Start[] = [];
  // The first start on the app-written journal reads it and compacts it (on the first list).
  const first = await startOnce(big, fake.url, true);
  const compactedBytes = statSync(memoryJournalPath(big)).size;
  for (let i = 0; i < starts; i++) {
    // Interleaved, so a burst of other work on the machine hits both alike.
    baseline.push(await startOnce(empty, fake.url));
    compactedStarts.push(await startOnce(big, fake.url, true));
  }
  const withKbLabel = kbStore ? ' + kb' : '';
  const rows = [summarize('empty store (baseline)', baseline), summarize(`${conversations} conv${withKbLabel}, first start (compacts)`, [first]), summarize(`${conversations} conv${withKbLabel}, restart`, compactedStarts)];
  const f = (n: number, d = 0) => n.toFixed(d).padStart(9);
  console.log(`journal after compaction: ${(compactedBytes / 1e6).toFixed(1)} MB (${((1 - compactedBytes / generated.bytes) * 100).toFixed(0)}% smaller)`);
  console.log(`${'case'.padEnd(34)}${'health ms'.padStart(10)}${'list ms'.padStart(10)}${'open ms'.padStart(10)}${'search ms'.padStart(10)}${'RSS@hlth'.padStart(10)}${'RSS end'.padStart(10)}${'peak RSS'.padStart(10)}`);
  for (const r of rows) console.log(`${r.name.padEnd(34)} ${f(r.healthMs)} ${f(r.listMs)} ${f(r.openMs)} ${f(r.searchMs)} ${f(r.rssAtHealthMb)} ${f(r.rssAfterMb)} ${f(r.peakRssMb)}`);
  if (kbStore) console.log(`knowledge base ${kbStore}: ${rows[2]!.kbChunks} chunks; first kb.sources after a restart ${rows[2]!.kbSourcesMs.toFixed(0)} ms (the RSS columns include it)`);
  const restart = rows[2]!;
  const base = rows[0]!;
  console.log(`restart vs baseline: health +${(restart.healthMs - base.healthMs).toFixed(0)} ms, RSS +${(restart.rssAfterMb - base.rssAfterMb).toFixed(0)} MB; targets: health <= 1500 ms ${restart.healthMs <= 1500 ? 'met' : 'MISSED'}, RSS <= 300 MB ${restart.peakRssMb <= 300 ? 'met' : 'MISSED'}`);
  console.log(JSON.stringify({ conversations, turns, journalBytes: generated.bytes, compactedBytes, rows }));
} finally {
  await fake.close();
}
