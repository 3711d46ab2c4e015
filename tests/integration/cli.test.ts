import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, runCliProcess, startCliProcess } from '../support/built-app';
import { closedPort, tempDir } from '../support/core-harness';

let fake: FakeOllama;
let env: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'Backups ran at 02:00 and finished.' });
  env = { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: tempDir() };
});
afterAll(async () => {
  await fake.close();
});

describe('agent-bruno ask', () => {
  it('streams the answer to stdout and exits 0', async () => {
    const result = await runCliProcess(['ask', 'did', 'the', 'backups', 'run?'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Backups ran at 02:00 and finished.\n');
    const chat = fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { content: string }[] };
    expect(chat.messages.at(-1)?.content).toBe('did the backups run?');
  });

  it('--json prints one JSON line with the answer and the stats', async () => {
    const result = await runCliProcess(['ask', 'status?', '--json', '--model', 'qwen2.5:0.5b'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!) as { type: string; answer: string; stats: Record<string, unknown> };
    expect(json.type).toBe('done');
    expect(json.answer).toBe('Backups ran at 02:00 and finished.');
    expect(json.stats).toMatchObject({ model: 'qwen2.5:0.5b', done_reason: 'stop', output_tokens: expect.any(Number), tokens_per_second: expect.any(Number) });
    for (const key of ['ttft_s', 'tokens_per_second', 'input_tokens', 'output_tokens', 'context_window', 'context_usage_ratio', 'load_duration_s', 'total_duration_s', 'done_reason', 'trace_id']) {
      expect(json.stats).toHaveProperty(key);
    }
  });

  it('exits 1 with a one-line reason when Ollama is down', async () => {
    const port = await closedPort();
    const result = await runCliProcess(['ask', 'hello'], { ...env, OLLAMA_HOST: `127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`agent-bruno: Cannot reach Ollama at http://127.0.0.1:${port} - is it running?\n`);
  });

  it('exits 1 naming the pull command when the model is missing', async () => {
    const result = await runCliProcess(['ask', 'hello', '--model', 'mistral:7b'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("agent-bruno: Model 'mistral:7b' is not pulled - run `ollama pull mistral:7b`\n");
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['ask'], /ask needs a question/],
    [['ask', 'x', '--bogus'], /Unknown option '--bogus'/],
    [[], /Usage:/],
  ])('usage errors exit 2: %j', async (args, pattern) => {
    const result = await runCliProcess(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toMatch(pattern);
  });

  it('invalid settings exit 2 naming the field', async () => {
    const result = await runCliProcess(['ask', 'x'], { ...env, BRUNO_PORT: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^agent-bruno: Invalid settings .*server\.port/);
  });
});

describe('agent-bruno serve', () => {
  it('prints the URL with a generated token, serves the API and stops on SIGTERM', async () => {
    const { child, match } = await startCliProcess(['serve', '--port', '0'], env, /(http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]+)/);
    const [, url, token] = match;
    expect(token!.length).toBeGreaterThanOrEqual(24);
    const unauthorized = await fetch(`${url}/api/v1/health`);
    expect(unauthorized.status).toBe(401);
    const health = await fetch(`${url}/api/v1/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const page = await fetch(`${url}/`);
    expect(await page.text()).toMatch(/<div id="root">/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('uses BRUNO_API_TOKEN when set', async () => {
    const { child, match } = await startCliProcess(['serve', '--port', '0'], { ...env, BRUNO_API_TOKEN: 'my-own-token-0123456789' }, /#token=([\w-]+)/);
    expect(match[1]).toBe('my-own-token-0123456789');
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const first = await startCliProcess(['serve', '--port', '0'], env, /http:\/\/127\.0\.0\.1:(\d+)/);
    const port = first.match[1]!;
    const second = await runCliProcess(['serve', '--port', port], env);
    first.child.kill('SIGTERM');
    await once(first.child, 'exit');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is already in use - set BRUNO_PORT`));
  });
});
