/**
 * Sits between fetch and ollama-js on streamed responses. ollama-js skips a line that is not JSON
 * with a console.warn and goes on; we drop such lines ourselves and count them, so a hostile or
 * broken upstream is visible (a counter, a log) instead of noise on the user's terminal.
 */
export interface MalformedLineSink {
  (line: string): void;
}

export function guardNdjson(body: ReadableStream<Uint8Array>, onMalformed: MalformedLineSink): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  const emitLines = (text: string, controller: TransformStreamDefaultController<Uint8Array>, flushAll: boolean) => {
    pending += text;
    const lines = pending.split('\n');
    pending = flushAll ? '' : (lines.pop() ?? '');
    let out = '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        JSON.parse(line);
        out += line + '\n';
      } catch {
        onMalformed(line.length > 200 ? `${line.slice(0, 200)}...` : line);
      }
    }
    if (out) controller.enqueue(encoder.encode(out));
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        emitLines(decoder.decode(chunk, { stream: true }), controller, false);
      },
      flush(controller) {
        emitLines(decoder.decode(), controller, true);
      },
    }),
  );
}

export function isNdjson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('application/x-ndjson');
}
