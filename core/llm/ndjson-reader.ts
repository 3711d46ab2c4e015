/**
 * Reads a newline-delimited JSON body in one pass: each network read becomes one batch of parsed
 * values. It replaces a guard that checked every line before ollama-js parsed it again; now each
 * line is decoded, split and parsed exactly once, and the consumer awaits once per network read
 * instead of once per line (at 2,000 tokens a reply that is most of what a stream costs).
 *
 * A line that is not JSON is dropped and reported (ollama-js only console.warns it), so a broken
 * or hostile upstream shows up in a counter and a log line. A line that grows past `maxLineChars`
 * without a newline ends the stream with an error instead of buffering without bound.
 */
export interface MalformedLineSink {
  (line: string): void;
}

export interface NdjsonReadOptions {
  onMalformed: MalformedLineSink;
  /** The longest line accepted; Ollama's lines are a few hundred characters. */
  maxLineChars?: number;
}

export const defaultMaxLineChars = 4 * 1024 * 1024;

/**
 * Set by a consumer that stops because it has the last value it wants (Ollama's `done` line), not
 * because something went wrong. The rest of the body (at most the chunked terminator, which
 * usually arrives a moment after `done`) is then read off the caller's path, as ollama-js leaves
 * it to arrive, instead of cancelled: a cancel aborts the fetch (a DOMException with its stack,
 * about 0.1 ms a stream) and, when the end had not arrived yet, closes the keep-alive connection.
 */
export interface NdjsonStop {
  atEnd: boolean;
}

/**
 * What the reader needs of a body: a web stream's reader (fetch) or an adapter over a Node
 * response (http-chat-transport.ts), which spares the web-stream layer.
 */
export interface ByteReader {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
  cancel(): Promise<void>;
  releaseLock(): void;
}

/** How long a body may keep going after the consumer's last value before it is cancelled. */
export const drainAfterEndMs = 2_000;

function drainInBackground(reader: ByteReader): void {
  // A server that keeps the stream open (or keeps sending) after `done` is cut off.
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), drainAfterEndMs);
  timer.unref?.();
  void (async () => {
    try {
      while (!(await reader.read()).done);
    } catch {
      // The answer is complete; an error in what follows it is nobody's business.
    } finally {
      clearTimeout(timer);
      reader.releaseLock();
    }
  })();
}

export class NdjsonLineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`a line of the streamed response is longer than ${limit} characters without a newline`);
    this.name = 'NdjsonLineTooLongError';
  }
}

const preview = (line: string) => (line.length > 200 ? `${line.slice(0, 200)}...` : line);

function parseLinesInto(text: string, from: number, to: number, batch: unknown[], onMalformed: MalformedLineSink): void {
  let start = from;
  while (start < to) {
    let end = text.indexOf('\n', start);
    if (end === -1 || end > to) end = to;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    try {
      batch.push(JSON.parse(line));
    } catch {
      onMalformed(preview(line));
    }
  }
}

/**
 * Yields the values of each network read; an empty read yields nothing. Breaking out of the loop
 * (or an error in the consumer) cancels the body, so the connection is released at once, unless
 * the consumer set `stop.atEnd` first (see NdjsonStop).
 */
export async function* readNdjsonBatches(body: ReadableStream<Uint8Array> | ByteReader, options: NdjsonReadOptions, stop?: NdjsonStop): AsyncGenerator<unknown[], void, undefined> {
  const maxLineChars = options.maxLineChars ?? defaultMaxLineChars;
  const reader: ByteReader = 'getReader' in body ? (body.getReader() as ByteReader) : body;
  const decoder = new TextDecoder();
  let pending = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      const decoded = decoder.decode(value, { stream: true });
      // Only the new text is searched for a newline, so a long line costs one pass, not one per read.
      const lastNewline = decoded.lastIndexOf('\n');
      if (lastNewline === -1) {
        pending += decoded;
        if (pending.length > maxLineChars) throw new NdjsonLineTooLongError(maxLineChars);
        continue;
      }
      const text = pending === '' ? decoded : pending + decoded;
      const linesEnd = text.length - (decoded.length - lastNewline);
      pending = decoded.slice(lastNewline + 1);
      if (pending.length > maxLineChars) throw new NdjsonLineTooLongError(maxLineChars);
      const batch: unknown[] = [];
      parseLinesInto(text, 0, linesEnd, batch, options.onMalformed);
      if (batch.length > 0) yield batch;
    }
    const tail = pending + decoder.decode();
    const batch: unknown[] = [];
    parseLinesInto(tail, 0, tail.length, batch, options.onMalformed);
    if (batch.length > 0) yield batch;
  } finally {
    if (finished) reader.releaseLock();
    else if (stop?.atEnd) drainInBackground(reader);
    else {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }
}
