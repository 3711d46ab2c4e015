/**
 * Minimal PDFs written by hand for the PDF ingestion tests (no binary fixtures in the repo):
 * header, catalog, page tree, one Helvetica font, per page a content stream, a cross-reference
 * table with the byte offset of every object, trailer, startxref.
 */
import { deflateSync } from 'node:zlib';

export interface PdfPageSpec {
  /** Lines of text drawn top-down with Helvetica 12. */
  lines?: string[];
  /** Draw a small gray image (a "scan" with no text layer). */
  image?: boolean;
  /** Raw content stream, instead of `lines`/`image`. */
  content?: string;
}

export interface PdfOptions {
  /** FlateDecode the content streams, as most real PDFs do. */
  compress?: boolean;
  /** A Standard security handler whose password is not empty: readers ask for a password. */
  encrypted?: boolean;
  /** Bytes before the %PDF- header (readers accept junk in the first KiB). */
  prefix?: string;
}

const escape = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);

function contentOf(page: PdfPageSpec): string {
  if (page.content !== undefined) return page.content;
  const parts: string[] = [];
  if (page.image) parts.push('q 200 0 0 200 72 500 cm /Im1 Do Q');
  if (page.lines?.length) parts.push(`BT /F1 12 Tf 72 720 Td 14 TL\n${page.lines.map((l) => `(${escape(l)}) Tj T*`).join('\n')}\nET`);
  return parts.join('\n');
}

/** A PDF whose pages are text lines (a `string[]` per page) or page specs. */
export function makePdf(pages: (string[] | PdfPageSpec)[], options: PdfOptions = {}): Buffer {
  const specs = pages.map((p) => (Array.isArray(p) ? { lines: p } : p));
  const objects: Buffer[] = [];
  const add = (body: string | Buffer) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length; // object number
  };
  const stream = (dict: string, data: Buffer) => Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

  const catalog = add('<< /Type /Catalog /Pages 2 0 R >>');
  const tree = add(''); // filled once the page numbers are known
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const image = add(stream('/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8', Buffer.from([0x20, 0xe0, 0xe0, 0x20])));
  const kids: number[] = [];
  for (const spec of specs) {
    const raw = Buffer.from(contentOf(spec), 'latin1');
    const content = add(options.compress ? stream('/Filter /FlateDecode', deflateSync(raw)) : stream('', raw));
    kids.push(add(`<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> /XObject << /Im1 ${image} 0 R >> >> /Contents ${content} 0 R >>`));
  }
  objects[tree - 1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`, 'latin1');
  let trailerExtra = '';
  if (options.encrypted) {
    // O and U that no empty password matches: the document needs a password to open.
    const encrypt = add(`<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <${'5a'.repeat(32)}> /U <${'a5'.repeat(32)}> >>`);
    trailerExtra = ` /Encrypt ${encrypt} 0 R /ID [<${'0f'.repeat(16)}> <${'0f'.repeat(16)}>]`;
  }

  // "%âãÏÓ" after the header marks the file as binary, as real writers do.
  const chunks: Buffer[] = [Buffer.from(`${options.prefix ?? ''}%PDF-1.4\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let size = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(size);
    const bytes = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(bytes);
    size += bytes.length;
  });
  // Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR LF or SP LF.
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${trailerExtra} >>\nstartxref\n${size}\n%%EOF\n`;
  chunks.push(Buffer.from(xref + trailer, 'latin1'));
  return Buffer.concat(chunks);
}
