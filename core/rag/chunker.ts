/**
 * Structure-aware chunking. A file is first cut into sections (Markdown/RST headings, YAML
 * documents, INI/TOML sections), each with a heading trail; a section into blocks (paragraphs,
 * fenced code blocks, blank-line separated code blocks); blocks are then packed into chunks of at
 * most `chunkChars`, a chunk never spanning two sections. Consecutive chunks of one section share
 * `overlapChars` of text so a sentence cut at a boundary is still found whole in one of them.
 * A fenced code block stays whole when it fits in a chunk; a longer one is split by lines and
 * each piece is fenced again.
 */
import type { FileKind } from './file-kinds';
import { htmlToText } from './html-to-text';

export interface ChunkOptions {
  chunkChars: number;
  overlapChars: number;
}

export interface TextChunk {
  /** Index of the chunk in its file, 0-based. */
  position: number;
  /** Heading trail, e.g. "Install > Docker". */
  heading: string;
  text: string;
}

interface Section {
  trail: string[];
  blocks: string[];
  /** How blocks are joined in a chunk: YAML keeps its lines together. */
  joiner?: string;
}

const fenceOpen = /^\s{0,3}(```+|~~~+)/;

/**
 * Leading newlines and trailing white space off (a regex `^\n+|\s+$` did it, trying `\s+$` at
 * every space of the block: 2% of a Markdown job's main thread).
 */
function trimBlock(block: string): string {
  let start = 0;
  while (block.charCodeAt(start) === 10) start++;
  return block.slice(start).trimEnd();
}

/** Splits lines into blocks at blank lines, keeping fenced code blocks (``` or ~~~) whole. */
function blocksOf(lines: string[]): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    if (current.some((l) => l.trim())) blocks.push(trimBlock(current.join('\n')));
    current = [];
  };
  for (const line of lines) {
    if (fence) {
      current.push(line);
      if (line.trim().startsWith(fence)) {
        fence = null;
        flush();
      }
      continue;
    }
    const open = fenceOpen.exec(line);
    if (open) {
      flush();
      fence = open[1]!;
      current.push(line);
      continue;
    }
    if (!line.trim()) flush();
    else current.push(line);
  }
  flush();
  return blocks;
}

function markdownSections(text: string): Section[] {
  const sections: Section[] = [];
  const trail: string[] = [];
  let lines: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const blocks = blocksOf(lines);
    // A heading with nothing under it but a sub-heading is no chunk of its own: it goes with the next section.
    if (blocks.length && blocks.every((b) => /^\s{0,3}#{1,6}\s/.test(b) && !b.includes('\n'))) return;
    if (blocks.length) sections.push({ trail: trail.filter(Boolean), blocks });
    lines = [];
  };
  for (const line of text.split('\n')) {
    if (fence) {
      if (line.trim().startsWith(fence)) fence = null;
      lines.push(line);
      continue;
    }
    const open = fenceOpen.exec(line);
    if (open) fence = open[1]!;
    const heading = open ? null : /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      trail.length = level;
      trail[level - 1] = heading[2]!;
    }
    lines.push(line);
  }
  flush();
  return sections;
}

/** reStructuredText: a title is a line underlined (and maybe overlined) with one punctuation char. */
function rstSections(text: string): Section[] {
  const lines = text.split('\n');
  const adornments: string[] = [];
  const sections: Section[] = [];
  const trail: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const blocks = blocksOf(current);
    if (blocks.length) sections.push({ trail: trail.filter(Boolean), blocks });
    current = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1] ?? '';
    const under = /^([=\-`:'"~^_*+#<>])\1{2,}\s*$/.exec(next);
    if (line.trim() && !/^\s/.test(line) && under && next.trim().length >= line.trim().length) {
      flush();
      const char = under[1]!;
      if (!adornments.includes(char)) adornments.push(char);
      const level = adornments.indexOf(char) + 1;
      trail.length = level;
      trail[level - 1] = line.trim();
      current.push(line, next);
      i++;
      continue;
    }
    // An overline of a title: skip it, the underline handles the title.
    if (/^([=\-`:'"~^_*+#<>])\1{2,}\s*$/.test(line) && lines[i + 2] !== undefined && lines[i + 2] === line) continue;
    current.push(line);
  }
  flush();
  return sections;
}

function yamlSections(text: string): Section[] {
  const docs = text.split(/^---[ \t]*(?:#.*)?$/m);
  const sections: Section[] = [];
  docs.forEach((doc, index) => {
    if (!doc.trim()) return;
    // Kubernetes-style documents get "Kind/name" as their heading.
    const kind = /^kind:\s*["']?([\w.-]+)/m.exec(doc)?.[1];
    const name = /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*["']?([\w.-]+)/m.exec(doc)?.[1];
    const title = kind ? `${kind}${name ? `/${name}` : ''}` : docs.length > 1 ? `document ${index + 1}` : '';
    // Blocks at top-level keys, so a big document splits between keys rather than mid-value.
    const blocks: string[] = [];
    let current: string[] = [];
    for (const line of doc.split('\n')) {
      if (/^[^\s#-]/.test(line) && current.some((l) => l.trim())) {
        blocks.push(current.join('\n').trim());
        current = [];
      }
      current.push(line);
    }
    if (current.some((l) => l.trim())) blocks.push(current.join('\n').trim());
    sections.push({ trail: title ? [title] : [], blocks, joiner: '\n' });
  });
  return sections;
}

/** INI, TOML, systemd units: [section] headers become the heading. */
function iniSections(text: string): Section[] {
  const sections: Section[] = [];
  let trail: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    const blocks = blocksOf(lines);
    if (blocks.length) sections.push({ trail, blocks });
    lines = [];
  };
  for (const line of text.split('\n')) {
    const header = /^\s*\[{1,2}\s*([^\]]+?)\s*\]{1,2}\s*$/.exec(line);
    if (header) {
      flush();
      trail = [header[1]!];
    }
    lines.push(line);
  }
  flush();
  return sections;
}

export function sectionsOf(kind: FileKind, text: string): Section[] {
  switch (kind) {
    case 'markdown':
      return markdownSections(text);
    case 'html':
      return markdownSections(htmlToText(text));
    case 'rst':
      return rstSections(text);
    case 'yaml':
      return yamlSections(text);
    case 'ini':
    case 'toml':
      return iniSections(text);
    default: {
      const blocks = blocksOf(text.split('\n'));
      return blocks.length ? [{ trail: [], blocks }] : [];
    }
  }
}

/** Cuts a too-long line at a space where it can. */
function splitLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Splits a block longer than max by lines (a fenced block is fenced again in every piece). */
function splitBlock(block: string, max: number): string[] {
  let lines = block.split('\n');
  let open = '';
  let close = '';
  if (fenceOpen.test(lines[0] ?? '') && lines.length > 2 && fenceOpen.test(lines[lines.length - 1] ?? '')) {
    open = lines[0]!;
    close = lines[lines.length - 1]!;
    lines = lines.slice(1, -1);
  }
  const room = Math.max(50, max - open.length - close.length - 2);
  const pieces: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const long of lines) {
    for (const line of splitLine(long, room)) {
      if (current.length && size + line.length + 1 > room) {
        pieces.push(current.join('\n'));
        current = [];
        size = 0;
      }
      current.push(line);
      size += line.length + 1;
    }
  }
  if (current.length) pieces.push(current.join('\n'));
  return open ? pieces.map((p) => `${open}\n${p}\n${close}`) : pieces;
}

/** The last ~n characters of a chunk, starting at a line or word boundary. */
function tailOf(text: string, n: number): string {
  if (n <= 0 || text.length <= n) return n <= 0 ? '' : text;
  const tail = text.slice(text.length - n);
  // Half a fenced block would open a fence the next chunk never closes.
  if (/```|~~~/.test(tail)) return '';
  const nl = tail.indexOf('\n');
  if (nl >= 0 && nl < n / 2) return tail.slice(nl + 1);
  const sp = tail.indexOf(' ');
  return sp >= 0 && sp < n / 2 ? tail.slice(sp + 1) : tail;
}

export function chunkText(kind: FileKind, text: string, options: ChunkOptions): TextChunk[] {
  const max = options.chunkChars;
  const overlap = Math.min(options.overlapChars, Math.floor(max / 3));
  const chunks: TextChunk[] = [];
  for (const section of sectionsOf(kind, text.replace(/\r\n?/g, '\n'))) {
    const heading = section.trail.join(' > ');
    const joiner = section.joiner ?? '\n\n';
    let current = '';
    // Whether `current` holds more than the overlap carried over from the previous chunk.
    let fresh = false;
    const push = () => {
      if (fresh && current.trim()) chunks.push({ position: chunks.length, heading, text: current.trim() });
    };
    for (const block of section.blocks) {
      for (const piece of block.length > max ? splitBlock(block, max) : [block]) {
        if (current && current.length + joiner.length + piece.length > max) {
          push();
          current = tailOf(current, overlap);
          if (current.length + joiner.length + piece.length > max) current = '';
        }
        current = current ? `${current}${joiner}${piece}` : piece;
        fresh = true;
      }
    }
    push();
  }
  return chunks;
}
