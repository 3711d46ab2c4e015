/**
 * PDF to text, page by page, with pdf.js (the build `unpdf` ships: no DOM, canvas, native module
 * or worker file needed). Pages become chunks whose heading is "page N", so a citation can name
 * the page.
 *
 * pdf.js parses on the thread that calls it, and long stretches of that parsing never let a timer
 * run: a hostile PDF (a huge or decompression-bomb content stream) would hold the event loop of
 * the whole app. So the parsing runs in a worker thread, which is terminated when a file takes
 * longer than `timeoutMs` or its heap outgrows `maxHeapMb`. One worker serves the PDFs one after
 * the other (starting one and loading pdf.js costs ~0.4 s) and is ended once idle.
 *
 * The worker's code is a string that loads unpdf by its resolved path: no second entry file that
 * vitest, the CLI and the electron-vite bundle would each have to find.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SkipReason } from '../common/knowledge';
import { chunkText, type ChunkOptions, type TextChunk } from './chunker';

export interface PdfLimits {
  /** A PDF with more pages is skipped as too large. */
  maxPages: number;
  /** Time for one file, from handing it to the worker to its last page. */
  timeoutMs: number;
  /** Old-generation heap of the worker; a PDF that needs more is skipped as too large. */
  maxHeapMb: number;
}

export const defaultPdfLimits: PdfLimits = { maxPages: 2000, timeoutMs: 60_000, maxHeapMb: 512 };

/** The text of each page (index 0 = page 1), or why the file is skipped. */
export type PdfText = { ok: true; pages: string[] } | { ok: false; reason: SkipReason; detail: string };

type FromWorker =
  | { id: number; type: 'pages'; count: number }
  | { id: number; type: 'page'; n: number }
  | { id: number; type: 'done'; pages: string[] }
  | { id: number; type: 'failed'; stage: 'load' | 'parse'; name: string; message: string };

// Plain CommonJS run by `new Worker(code, { eval: true })`. One message = one file.
const workerCode = `
const { parentPort } = require('node:worker_threads');
let pdfjs;
parentPort.on('message', async ({ id, data, unpdf, maxPages }) => {
  let stage = 'load';
  let task;
  try {
    pdfjs ??= await require(unpdf).getResolvedPDFJS();
    stage = 'parse';
    task = pdfjs.getDocument({ data, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false });
    const doc = await task.promise;
    parentPort.postMessage({ id, type: 'pages', count: doc.numPages });
    if (doc.numPages > maxPages) return;
    const pages = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => (item.str ?? '') + (item.hasEOL ? '\\n' : '')).join(''));
      page.cleanup();
      parentPort.postMessage({ id, type: 'page', n });
    }
    parentPort.postMessage({ id, type: 'done', pages });
  } catch (err) {
    parentPort.postMessage({ id, type: 'failed', stage, name: String(err?.name ?? 'Error'), message: String(err?.message ?? err) });
  } finally {
    await task?.destroy().catch(() => {});
  }
});
`;

let unpdfPath: string | null | undefined;
/** The CommonJS entry of unpdf, or null when it is not installed. */
function resolveUnpdf(): string | null {
  if (unpdfPath === undefined) {
    try {
      unpdfPath = createRequire(import.meta.url).resolve('unpdf');
    } catch {
      unpdfPath = null;
    }
  }
  return unpdfPath;
}

/** Control characters other than tab and newline, which pdf.js can pass through from a font. */
// Control characters are exactly what this removes.
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export function cleanPageText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(controlChars, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function skipFor(message: FromWorker & { type: 'failed' }): PdfText {
  if (message.stage === 'load') return { ok: false, reason: 'unreadable', detail: `the PDF reader could not start: ${message.message}` };
  if (message.name === 'PasswordException') return { ok: false, reason: 'unreadable', detail: 'encrypted PDF: it needs a password' };
  if (message.name === 'InvalidPDFException') return { ok: false, reason: 'unreadable', detail: `corrupt PDF: ${message.message}` };
  return { ok: false, reason: 'unreadable', detail: `corrupt PDF: ${message.name}: ${message.message}` };
}

/** Runs PDFs through one worker thread, one at a time. */
export class PdfReader {
  private worker: Worker | null = null;
  /** The heap limit the running worker was started with. */
  private workerHeapMb = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs = 10_000) {}

  /** The text of each page, or why the file is skipped. Rejects only when `signal` aborts. */
  read(bytes: Uint8Array, limits: Partial<PdfLimits> = {}, signal?: AbortSignal): Promise<PdfText> {
    const run = this.queue.then(() => this.readNow(bytes, { ...defaultPdfLimits, ...limits }, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the worker now (a later read starts a new one). */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private start(limits: PdfLimits): Worker {
    this.workerHeapMb = limits.maxHeapMb;
    const worker = new Worker(workerCode, { eval: true, resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb } });
    // A worker's own 'error' (e.g. out of memory) ends only that worker; readNow listens per file.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
    return worker;
  }

  private readNow(bytes: Uint8Array, limits: PdfLimits, signal?: AbortSignal): Promise<PdfText> {
    signal?.throwIfAborted();
    const unpdf = resolveUnpdf();
    if (!unpdf) return Promise.resolve({ ok: false, reason: 'unreadable', detail: 'PDF support is not installed (the unpdf package is missing)' });
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    // A different heap limit needs a new worker (resource limits are fixed when one starts).
    if (this.worker && this.workerHeapMb !== limits.maxHeapMb) void this.close();
    const worker = (this.worker ??= this.start(limits));
    worker.ref();
    const id = ++this.nextId;
    let page = 0;
    let pages = 0;
    return new Promise<PdfText>((resolve, reject) => {
      // `aborted` carries the signal's reason, which the caller gets as a rejection.
      const finish = (result: PdfText | { aborted: unknown }, kill: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        if (kill) {
          if (this.worker === worker) this.worker = null;
          void worker.terminate();
        } else {
          worker.unref();
          this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
          this.idleTimer.unref();
        }
        if ('aborted' in result) reject(result.aborted);
        else resolve(result);
      };
      const onMessage = (message: FromWorker) => {
        if (message.id !== id) return;
        if (message.type === 'pages') {
          pages = message.count;
          if (pages > limits.maxPages) finish({ ok: false, reason: 'too_large', detail: `${pages} pages > ${limits.maxPages}` }, false);
        } else if (message.type === 'page') page = message.n;
        else if (message.type === 'failed') finish(skipFor(message), false);
        else finish(textOf(message.pages), false);
      };
      const onError = (err: Error & { code?: string }) =>
        finish(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? { ok: false, reason: 'too_large', detail: `reading it needs more than ${limits.maxHeapMb} MB of memory` }
            : { ok: false, reason: 'unreadable', detail: `the PDF reader failed: ${err.message}` },
          true,
        );
      const onExit = (code: number) => finish({ ok: false, reason: 'unreadable', detail: `the PDF reader stopped (exit code ${code})` }, true);
      const onAbort = () => finish({ aborted: signal!.reason }, true);
      const timer = setTimeout(
        () => finish({ ok: false, reason: 'too_large', detail: `reading it took longer than ${limits.timeoutMs / 1000} s (stopped at page ${page} of ${pages || '?'})` }, true),
        limits.timeoutMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      // A copy, transferred: pdf.js may detach what it is given, and the caller keeps its bytes.
      const data = new Uint8Array(bytes);
      worker.postMessage({ id, data, unpdf, maxPages: limits.maxPages }, [data.buffer]);
    });
  }
}

function textOf(raw: string[]): PdfText {
  const pages = raw.map(cleanPageText);
  if (pages.length === 0) return { ok: false, reason: 'empty', detail: 'the PDF has no pages' };
  if (pages.every((p) => !p)) return { ok: false, reason: 'empty', detail: 'no text layer — OCR not supported' };
  return { ok: true, pages };
}

/** Prose chunks of each page; a chunk never spans two pages and its heading names its page. */
export function chunkPdfPages(pages: readonly string[], options: ChunkOptions): TextChunk[] {
  const chunks: TextChunk[] = [];
  pages.forEach((text, index) => {
    for (const piece of chunkText('text', text, options)) chunks.push({ position: chunks.length, heading: `page ${index + 1}`, text: piece.text });
  });
  return chunks;
}
