import { afterEach, describe, expect, it, vi } from 'vitest';
import { drainAfterEndMs, NdjsonLineTooLongError, readNdjsonBatches, type NdjsonStop } from '../../core/llm/ndjson-reader';

const encoder = new TextEncoder();

/** A body that delivers exactly these reads, then ends (or errors, when `failWith` is set). */
function bodyOf(reads: (string | Uint8Array)[], failWith?: Error): ReadableStream<Uint8Array> & { readonly cancelled: boolean } {
  let i = 0;
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < reads.length) {
        const read = reads[i++]!;
        controller.enqueue(typeof read === 'string' ? encoder.encode(read) : read);
      } else if (failWith) controller.error(failWith);
      else controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  Object.defineProperty(stream, 'cancelled', { get: () => state.cancelled });
  return stream as ReadableStream<Uint8Array> & { readonly cancelled: boolean };
}

async function collect(body: ReadableStream<Uint8Array>, maxLineChars?: number) {
  const malformed: string[] = [];
  const batches: unknown[][] = [];
  for await (const batch of readNdjsonBatches(body, { onMalformed: (line) => malformed.push(line), ...(maxLineChars ? { maxLineChars } : {}) })) batches.push(batch);
  return { batches, malformed };
}

describe('readNdjsonBatches', () => {
  it('gives one batch per network read with every whole line of it', async () => {
    const { batches } = await collect(bodyOf(['{"a":1}\n{"a":2}\n', '{"a":3}\n']));
    expect(batches).toEqual([[{ a: 1 }, { a: 2 }], [{ a: 3 }]]);
  });

  it('joins a line split over reads, and parses a last line without its newline', async () => {
    const { batches } = await collect(bodyOf(['{"a":', '1}\n{"b"', ':2}\n{"c":3}']));
    expect(batches.flat()).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('keeps a multi-byte character split between two reads intact', async () => {
    const bytes = encoder.encode('{"t":"café ☕"}\n');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ☕
    const { batches } = await collect(bodyOf([bytes.slice(0, cut), bytes.slice(cut)]));
    expect(batches.flat()).toEqual([{ t: 'café ☕' }]);
  });

  it('drops a line that is not JSON, reports it, and goes on', async () => {
    const { batches, malformed } = await collect(bodyOf(['{"a":1}\nnot json\n\n  \n{"a":2}\n{"model":"llama3.1\n']));
    expect(batches.flat()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(malformed).toEqual(['not json', '{"model":"llama3.1']);
  });

  it('shortens a long malformed line in the report', async () => {
    const { malformed } = await collect(bodyOf([`${'x'.repeat(1000)}\n`]));
    expect(malformed[0]).toHaveLength(203);
  });

  it('ends with an error on a line longer than the limit instead of buffering it', async () => {
    const body = bodyOf(['{"a":1}\n', 'y'.repeat(600), 'y'.repeat(600), '\n']);
    await expect(collect(body, 1000)).rejects.toBeInstanceOf(NdjsonLineTooLongError);
    expect(body.cancelled).toBe(true);
  });

  it('passes on an error of the body (a dropped connection) after what came before', async () => {
    const seen: unknown[] = [];
    const dropped = new TypeError('terminated');
    const read = async () => {
      for await (const batch of readNdjsonBatches(bodyOf(['{"a":1}\n'], dropped), { onMalformed: () => {} })) seen.push(...batch);
    };
    await expect(read()).rejects.toBe(dropped);
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('cancels the body when the consumer stops early', async () => {
    const body = bodyOf(['{"a":1}\n', '{"a":2}\n', '{"a":3}\n']);
    for await (const batch of readNdjsonBatches(body, { onMalformed: () => {} })) {
      expect(batch).toEqual([{ a: 1 }]);
      break;
    }
    expect(body.cancelled).toBe(true);
  });

  describe('a consumer that stops at its last value (stop.atEnd)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('reads the rest of the body off its path instead of cancelling it (the fetch is not aborted)', async () => {
      const body = bodyOf(['{"done":true}\n', '', '']);
      const stop: NdjsonStop = { atEnd: false };
      for await (const batch of readNdjsonBatches(body, { onMalformed: () => {} }, stop)) {
        expect(batch).toEqual([{ done: true }]);
        stop.atEnd = true;
        break;
      }
      await vi.waitFor(() => expect(body.locked).toBe(false));
      expect(body.cancelled).toBe(false);
    });

    it('still cancels a body that stays open after the end, once drainAfterEndMs has passed', async () => {
      vi.useFakeTimers();
      let cancelled = false;
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          // The last value, then nothing ever again (a server that holds the stream open).
          if (!sent) controller.enqueue(encoder.encode('{"done":true}\n'));
          sent = true;
          return new Promise(() => {});
        },
        cancel() {
          cancelled = true;
        },
      });
      const stop: NdjsonStop = { atEnd: false };
      for await (const batch of readNdjsonBatches(body, { onMalformed: () => {} }, stop)) {
        expect(batch).toEqual([{ done: true }]);
        stop.atEnd = true;
        break;
      }
      await vi.advanceTimersByTimeAsync(drainAfterEndMs - 1);
      expect(cancelled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(cancelled).toBe(true);
      expect(body.locked).toBe(false);
    });
  });
});
