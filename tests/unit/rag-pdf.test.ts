// PDF as a file kind: sniffing by name and by header, page text through the worker-thread reader,
// page-numbered chunks, and every kind of bad PDF turned into one clear skip.
import { afterAll, describe, expect, it } from 'vitest';
import { fileKindOf } from '../../core/rag';
import { chunkPdfPages, cleanPageText, PdfReader } from '../../core/rag/pdf-to-text';
import { pdfHeaderAt, sniff } from '../../core/rag/sniff';
import { makePdf } from '../support/make-pdf';

const reader = new PdfReader(1000);

/** Four pages of 200k text operators each (FlateDecoded: ~1 MB): seconds of parsing per page. */
let slow: Buffer | undefined;
const slowPdf = () => {
  const big = `BT /F1 12 Tf 72 720 Td 14 TL\n${Array.from({ length: 200_000 }, (_, i) => `(word${i} lorem ipsum dolor) Tj T*`).join('\n')}\nET`;
  return (slow ??= makePdf(Array.from({ length: 4 }, () => ({ content: big })), { compress: true }));
};
afterAll(() => reader.close());

const manual = () =>
  makePdf([
    ['Backup runbook', 'Snapshots of the pool are taken every night at 02:00.'],
    ['Restore (the hard part)', 'To restore, mount the snapshot read-only and copy the files back.'],
    ['Appendix', 'The offsite copy lives in the garage NAS.'],
  ]);

describe('PDF detection', () => {
  it('knows .pdf by name, in any case', () => {
    expect(fileKindOf('/docs/Manual.PDF')).toBe('pdf');
    expect(fileKindOf('/docs/manual.pdf')).toBe('pdf');
  });

  it('finds the %PDF- header at the start or after junk in the first KiB', () => {
    expect(pdfHeaderAt(makePdf([['x']]))).toBe(0);
    expect(pdfHeaderAt(makePdf([['x']], { prefix: 'junk\n' }))).toBe(5);
    expect(pdfHeaderAt(Buffer.from(`${' '.repeat(2000)}%PDF-1.4`))).toBe(-1);
    expect(pdfHeaderAt(new Uint8Array(0))).toBe(-1);
    // The whole header within the first KiB; a view into a larger buffer is read from its own start.
    expect(pdfHeaderAt(Buffer.from(`${' '.repeat(1019)}%PDF-1.4`))).toBe(1019);
    expect(pdfHeaderAt(Buffer.from(`${' '.repeat(1020)}%PDF-1.4`))).toBe(-1);
    expect(pdfHeaderAt(Buffer.from('%PDF-1.4 junk %PDF-1.5').subarray(9))).toBe(5);
  });

  it('reads a .pdf by its header, a PDF under another name as a PDF, and a text that mentions %PDF- as text', () => {
    expect(sniff('pdf', makePdf([['x']]))).toEqual({ ok: true, as: 'pdf' });
    expect(sniff('pdf', makePdf([['x']], { prefix: 'junk\n' }))).toEqual({ ok: true, as: 'pdf' });
    expect(sniff('text', makePdf([['x']]))).toEqual({ ok: true, as: 'pdf' });
    expect(sniff('markdown', Buffer.from('# Formats\n\nA PDF starts with %PDF-1.7.'))).toMatchObject({ ok: true, as: 'text' });
    expect(sniff('text', Buffer.from([0x68, 0x00]))).toMatchObject({ ok: false, reason: 'binary' });
  });

  it('does not read a .pdf that is not a PDF as anything else', () => {
    expect(sniff('pdf', Buffer.from('just some notes, saved with the wrong name'))).toEqual({ ok: false, reason: 'unreadable', detail: 'not a PDF: no %PDF- header' });
    expect(sniff('pdf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});

describe('PDF text', () => {
  it('extracts the text of each page in order', async () => {
    const result = await reader.read(manual());
    expect(result).toEqual({
      ok: true,
      pages: [
        'Backup runbook\nSnapshots of the pool are taken every night at 02:00.',
        'Restore (the hard part)\nTo restore, mount the snapshot read-only and copy the files back.',
        'Appendix\nThe offsite copy lives in the garage NAS.',
      ],
    });
  });

  it('reads compressed content streams and a header after junk', async () => {
    const result = await reader.read(makePdf([['Compressed page text.']], { compress: true, prefix: 'junk\n' }));
    expect(result).toEqual({ ok: true, pages: ['Compressed page text.'] });
  });

  it('chunks like prose, one page at a time, with the page number as the heading', async () => {
    const result = await reader.read(manual());
    if (!result.ok) throw new Error(result.detail);
    const chunks = chunkPdfPages(result.pages, { chunkChars: 1200, overlapChars: 100 });
    expect(chunks.map((c) => [c.position, c.heading])).toEqual([
      [0, 'page 1'],
      [1, 'page 2'],
      [2, 'page 3'],
    ]);
    expect(chunks[1]!.text).toContain('mount the snapshot read-only');

    // A long page becomes several chunks, all named after that page; positions run on across pages.
    const long = Array.from({ length: 30 }, (_, i) => `Line ${i} of a long page about the cluster network and its VLANs.`);
    const split = chunkPdfPages(['short first page', long.join('\n'), 'last'], { chunkChars: 300, overlapChars: 50 });
    expect(split[0]).toEqual({ position: 0, heading: 'page 1', text: 'short first page' });
    const second = split.filter((c) => c.heading === 'page 2');
    expect(second.length).toBeGreaterThan(3);
    expect(second.every((c) => c.text.length <= 300)).toBe(true);
    expect(split.at(-1)).toEqual({ position: split.length - 1, heading: 'page 3', text: 'last' });
    expect(split.map((c) => c.position)).toEqual(split.map((_, i) => i));
  });

  it('keeps the pages with text when some are scans, and cleans control characters', async () => {
    const result = await reader.read(makePdf([{ image: true }, ['Typed page.']]));
    expect(result).toEqual({ ok: true, pages: ['', 'Typed page.'] });
    expect(chunkPdfPages(['', 'Typed page.'], { chunkChars: 500, overlapChars: 0 })).toEqual([{ position: 0, heading: 'page 2', text: 'Typed page.' }]);
    expect(cleanPageText('a\u0000b  \r\nc\n\n\n\nd\u0007')).toBe('ab\nc\n\nd');
  });
});

describe('bad PDFs are skipped with a reason', () => {
  it('a PDF without a text layer: empty, OCR not supported', async () => {
    expect(await reader.read(makePdf([{ image: true }, { image: true }]))).toEqual({ ok: false, reason: 'empty', detail: 'no text layer — OCR not supported' });
    expect(await reader.read(makePdf([{ content: '' }]))).toEqual({ ok: false, reason: 'empty', detail: 'no text layer — OCR not supported' });
  });

  it('an encrypted PDF: unreadable, it needs a password', async () => {
    expect(await reader.read(makePdf([['secret']], { encrypted: true }))).toEqual({ ok: false, reason: 'unreadable', detail: 'encrypted PDF: it needs a password' });
  });

  it('a corrupt or truncated PDF: unreadable, corrupt', async () => {
    const truncated = manual().subarray(0, 120);
    expect(await reader.read(truncated)).toMatchObject({ ok: false, reason: 'unreadable', detail: expect.stringMatching(/^corrupt PDF: /) });
    expect(await reader.read(Buffer.from('%PDF-1.7\n\u0000\u0001 not really a pdf at all'))).toMatchObject({ ok: false, reason: 'unreadable', detail: expect.stringMatching(/^corrupt PDF: /) });
  });

  it('more pages than the cap: too large, without reading them', async () => {
    expect(await reader.read(manual(), { maxPages: 2 })).toEqual({ ok: false, reason: 'too_large', detail: '3 pages > 2' });
  });

  it('a PDF that takes too long: the worker is ended, and the next PDF is read by a new one', async () => {
    const started = performance.now();
    const result = await reader.read(slowPdf(), { timeoutMs: 300 });
    // pdf.js would need seconds per page here; the main thread is never held.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ ok: false, reason: 'too_large', detail: expect.stringMatching(/^reading it took longer than 0\.3 s \(stopped at page \d of (4|\?)\)$/) });
    expect(await reader.read(makePdf([['after the slow one']]))).toEqual({ ok: true, pages: ['after the slow one'] });
  });

  it('a PDF that needs more memory than the cap: too large', async () => {
    const big = `BT /F1 12 Tf 72 720 Td 14 TL\n${Array.from({ length: 100_000 }, (_, i) => `(word${i} lorem ipsum dolor) Tj T*`).join('\n')}\nET`;
    const result = await new PdfReader().read(makePdf([{ content: big }]), { maxHeapMb: 8 });
    expect(result).toEqual({ ok: false, reason: 'too_large', detail: 'reading it needs more than 8 MB of memory' });
  });

  it('an aborted ingestion rejects with the abort reason mid-file and leaves the reader usable', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = reader.read(slowPdf(), {}, controller.signal);
    setTimeout(() => controller.abort(new Error('stopped by the user')), 200);
    await expect(pending).rejects.toThrow('stopped by the user');
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(reader.read(manual(), {}, controller.signal)).rejects.toThrow('stopped by the user');
    expect(await reader.read(makePdf([['still fine']]))).toEqual({ ok: true, pages: ['still fine'] });
  });
});
