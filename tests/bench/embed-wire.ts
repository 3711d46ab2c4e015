/**
 * The client's cost of reading one embed answer of 64 x 768, in the two wire formats Ollama has:
 * `/api/embed`'s JSON numbers (float32 precision, as Go writes []float32; what the app reads now)
 * and `/v1/embeddings` with `encoding_format: "base64"` (each vector's little-endian float32
 * bytes as one base64 string; ollama/ollama openai/openai.go `floatsToBase64`). Both are turned
 * into Float32Arrays, as core/rag/embedder.ts does, and checked to give the same bits.
 * This measures the next lever for issue 18's >= 4,000 chunks/s over HTTP (docs/benchmarks.md,
 * "Scale: the embed answer's wire format"); the app does not use the base64 route yet.
 *   npx tsx tests/bench/embed-wire.ts [answers per round, default 200] [rounds, default 7]
 */
import { seededRandom } from '../support/seeded-random';
import { float32Json } from './embed-server';
import { vectorNear } from './rag-data';
import { percentile } from './stats';

const perRound = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 7);
const vectors = Array.from({ length: 64 }, (_, i) => vectorNear(i, seededRandom(i + 1)));
const base64Of = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

const floatsWire = Buffer.from(`{"model":"m","embeddings":[${vectors.map(float32Json).join(',')}],"total_duration":1,"load_duration":0,"prompt_eval_count":16384}`);
const base64Wire = Buffer.from(
  `{"object":"list","data":[${vectors.map((v, i) => `{"object":"embedding","embedding":"${base64Of(v)}","index":${i}}`).join(',')}],"model":"m","usage":{"prompt_tokens":16384,"total_tokens":16384}}`,
);

const readFloats = (wire: Buffer) => (JSON.parse(wire.toString('utf8')) as { embeddings: number[][] }).embeddings.map((e) => Float32Array.from(e));
const readBase64 = (wire: Buffer) =>
  (JSON.parse(wire.toString('utf8')) as { data: { embedding: string }[] }).data.map((d) => {
    const bytes = Buffer.from(d.embedding, 'base64');
    // A copy: the decoded Buffer may sit in Node's shared pool at an offset not divisible by 4.
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });

const a = readFloats(floatsWire);
const b = readBase64(base64Wire);
for (let i = 0; i < vectors.length; i++) {
  for (let j = 0; j < vectors[i]!.length; j++) {
    if (a[i]![j] !== vectors[i]![j] || b[i]![j] !== vectors[i]![j]) throw new Error(`vector ${i}[${j}] differs between the formats`);
  }
}

const samples: Record<string, number[]> = { floats: [], base64: [] };
const readers: [string, () => unknown][] = [
  ['floats', () => readFloats(floatsWire)],
  ['base64', () => readBase64(base64Wire)],
];
for (let round = 0; round <= rounds; round++) {
  for (const [name, read] of round % 2 ? readers : [...readers].reverse()) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) read();
    if (round > 0) samples[name]!.push((performance.now() - t0) / perRound); // round 0 warms up
  }
}
const med = (name: string) => percentile(samples[name]!, 50);
console.log(`answer of 64 x 768: /api/embed JSON ${(floatsWire.length / 1024).toFixed(0)} KiB, /v1/embeddings base64 ${(base64Wire.length / 1024).toFixed(0)} KiB (${(base64Wire.length / floatsWire.length).toFixed(2)}x); same float32 bits: yes`);
console.log(`read + Float32Array: floats ${med('floats').toFixed(2)} ms, base64 ${med('base64').toFixed(2)} ms (${(med('base64') / med('floats')).toFixed(2)}x), median of ${rounds} rounds of ${perRound}`);
