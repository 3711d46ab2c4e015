/**
 * Sits between fetch and ollama-js on streamed responses. ollama-js skips a line that is not JSON
 * with a console.warn and goes on; we drop such lines ourselves and count them, so a hostile or
 * broken upstream is visible (a counter, a log) instead of noise on the user's terminal.
 *
 * It is on the streaming hot path, so it does not parse JSON (ollama-js does that once): a line
 * that starts with `{` and ends with `}` passes as it is, and a chunk made only of such whole
 * lines is forwarded as the very same bytes. Only a suspicious line is parsed to decide.
 */
export interface MalformedLineSink {
  (line: string): void;
}

const looksLikeObject = (line: string): boolean => {
  const trimmed = line.trim();
  return trimmed.charCodeAt(0) === 123 /* { */ && trimmed.charCodeAt(trimmed.length - 1) === 125 /* } */;
};

function isJsonLine(line: string): boolean {
  if (looksLikeObject(line)) return true;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

export function guardNdjson(body: ReadableStream<Uint8Array>, onMalformed: MalformedLineSink): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  const process = (chunk: Uint8Array | null, controller: TransformStreamDefaultController<Uint8Array>) => {
    const text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    const hadPending = pending !== '';
    const all = pending + text;
    const lines = all.split('\n');
    pending = chunk ? (lines.pop() ?? '') : '';
    let clean = true;
    const kept: string[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (isJsonLine(line)) kept.push(line);
      else {
        clean = false;
        onMalformed(line.length > 200 ? `${line.slice(0, 200)}...` : line);
      }
    }
    // The common case: whole, well-formed lines in this chunk alone -> the original bytes.
    if (chunk && clean && !hadPending && pending === '') return controller.enqueue(chunk);
    if (kept.length) controller.enqueue(encoder.encode(kept.join('\n') + '\n'));
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => process(chunk, controller),
      flush: (controller) => process(null, controller),
    }),
  );
}

export function isNdjson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('application/x-ndjson');
}
