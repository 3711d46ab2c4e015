/**
 * The fake Ollama CLI (`npm run fake-ollama`): prints its URL, serves the
 * configured behaviour, and exits cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { defaultReplyTokens } from '../fake-ollama';

describe('fake-ollama CLI', () => {
  it('listens on the printed port, applies flags, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/fake-ollama/main.ts', '--port', '0', '--tps', '0', '--reply-tokens', '5', '--preload', 'qwen2.5:0.5b'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const match = /^fake ollama listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(stdout);
          if (match?.[1] && match[2] !== '0') resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const ollama = new Ollama({ host: url });
      expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['qwen2.5:0.5b']);
      const res = await ollama.chat({ model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.message.content).toBe(defaultReplyTokens(5).join(''));

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
