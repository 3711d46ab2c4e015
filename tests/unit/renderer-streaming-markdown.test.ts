import { describe, expect, it } from 'vitest';
import { renderedLength, sameInlines, splitAt } from '../../renderer/src/markdown/inline-split';
import { arrangeLive } from '../../renderer/src/markdown/live-paragraph';
import { createInlineCache, parseInline, parseInlineFrom, parseMarkdown, type Inline, type InlineState } from '../../renderer/src/markdown/parse';
import { parseGrowing } from '../../renderer/src/markdown/render';

/** A small deterministic generator (the same cases every run). */
function random(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

// Pieces that exercise every inline rule and its look-ahead: emphasis, code spans, links, images,
// autolinks, bare URLs, citations, escapes, line breaks, and openers whose closer comes later.
const pieces = ['a', 'word', ' ', ' ', '*', '**', '_', '__', '~~', '~', '`', '``', '\\', '\\*', '[', ']', '(', ')', '[1]', '[12](', 'http://x.y/z', ' https://e.com/a.b,', '<', '<https://q.r>', '>', '\n', '!', '![', ' h', 'snake_case'];

function randomText(next: () => number, length: number, plain: number): string {
  let text = '';
  while (text.length < length) text += next() < plain ? ' word' : pieces[Math.floor(next() * pieces.length)]!;
  return text;
}

/** The text the DOM would hold for these nodes (a line break holds none). */
const rendered = (nodes: readonly Inline[]): string =>
  nodes.map((n) => (n.type === 'text' || n.type === 'code' ? n.text : n.type === 'br' ? '' : n.type === 'cite' ? `[${n.n}]` : rendered(n.children))).join('');

describe('resuming the inline parse of a growing paragraph', () => {
  it('gives what a full parse gives at every step, whatever the text', () => {
    const next = random(11);
    for (let run = 0; run < 80; run++) {
      const text = randomText(next, 1500 + Math.floor(next() * 5000), run % 2 ? 0.95 : 0.7);
      let state: InlineState | null = null;
      for (let end = 1; end <= text.length; end += 1 + Math.floor(next() * 40)) {
        state = parseInlineFrom(text.slice(0, end), state);
        expect(state.nodes, `run ${run} at ${end}`).toEqual(parseInline(text.slice(0, end)));
      }
    }
  });

  it('resumes near the end of plain text and keeps the nodes before that point', () => {
    const sentence = 'The **cluster** has three nodes and `restic` ran at 02:00 [1]. ';
    const text = sentence.repeat(200);
    const first = parseInlineFrom(text, null);
    const resumable = first.checkpoints.filter((c) => c.reach !== Infinity);
    // Decisions only look a bounded way ahead: a resume point close to the end exists.
    expect(resumable.at(-1)!.i).toBeGreaterThan(text.length - 3000);
    const second = parseInlineFrom(`${text}More`, first);
    expect(second.nodes).toEqual(parseInline(`${text}More`));
    expect(second.nodes[0]).toBe(first.nodes[0]);
    expect(second.nodes[100]).toBe(first.nodes[100]);
  });

  it('parses again from the opener when a code span or emphasis opened long ago closes', () => {
    const opened = `a \`b ${'word '.repeat(800)}`;
    let state = parseInlineFrom(opened, null);
    expect(state.nodes).toEqual(parseInline(opened));
    state = parseInlineFrom(`${opened}c\` d`, state);
    expect(state.nodes).toEqual(parseInline(`${opened}c\` d`));
    expect(state.nodes[1]).toMatchObject({ type: 'code' });

    const emphasis = `x *y ${'word '.repeat(300)}`;
    state = parseInlineFrom(emphasis, null);
    state = parseInlineFrom(`${emphasis}z* w`, state);
    expect(state.nodes).toEqual(parseInline(`${emphasis}z* w`));
    expect(state.nodes.some((n) => n.type === 'em')).toBe(true);
  });

  it('starts over when the text does not extend the previous one', () => {
    const first = parseInlineFrom('**bold** text', null);
    const other = parseInlineFrom('*em* other', first);
    expect(other.nodes).toEqual(parseInline('*em* other'));
  });

  it('a cache of recent paragraphs gives the same blocks as a full parse while an answer streams', () => {
    const next = random(5);
    const paragraphs = Array.from({ length: 4 }, () => randomText(next, 2500, 0.85).replace(/\n/g, ' '));
    const answer = `# Status\n\n${paragraphs.join('\n\n')}\n\n- one\n- two\n\nDone.`;
    const strip = (blocks: unknown) => JSON.parse(JSON.stringify(blocks));
    const inline = createInlineCache();
    let previous: { text: string; blocks: ReturnType<typeof parseMarkdown> } | null = null;
    for (let end = 1; end <= answer.length; end += 1 + Math.floor(next() * 30)) {
      const text = answer.slice(0, end);
      const blocks = parseGrowing(text, previous, inline);
      expect(strip(blocks), `at ${end} chars`).toEqual(strip(parseMarkdown(text)));
      previous = { text, blocks };
    }
  });
});

describe('cutting inline nodes by rendered text', () => {
  const nodes = parseInline('Hello **big** world, see [the docs](https://e.com) [2] and `code`.\nNext line here');

  it('measures what the DOM holds', () => {
    expect(renderedLength(nodes)).toBe(rendered(nodes).length);
    expect(rendered(nodes)).toBe('Hello big world, see the docs [2] and code.Next line here');
  });

  it('cuts inside text and between nodes, keeping the rendered text', () => {
    const at = [3, 'Hello '.length, 'Hello big world, '.length];
    const { parts, rest } = splitAt(nodes, at);
    expect(parts.map(rendered)).toEqual(['Hel', 'lo ', 'big world, ']);
    expect(parts.map(rendered).join('') + rendered(rest)).toBe(rendered(nodes));
  });

  it('keeps a line break with the line it ends', () => {
    const at = rendered(nodes).indexOf('Next');
    const { parts, rest } = splitAt(nodes, [at]);
    expect(parts[0]!.at(-1)).toEqual({ type: 'br' });
    expect(rest[0]).toEqual({ type: 'text', text: 'Next line here' });
  });

  it('stops at a cut that would fall inside a link or emphasis', () => {
    const inside = rendered(nodes).indexOf('docs');
    const { parts, rest } = splitAt(nodes, [3, inside, inside + 10]);
    expect(parts).toHaveLength(1);
    expect(rendered(rest)).toBe(rendered(nodes).slice(3));
  });

  it('compares trees by content', () => {
    expect(sameInlines(parseInline('a **b** [c](https://e.com)'), parseInline('a **b** [c](https://e.com)'))).toBe(true);
    expect(sameInlines(parseInline('a **b**'), parseInline('a *b*'))).toBe(false);
    expect(sameInlines(parseInline('[c](https://e.com)'), parseInline('[c](https://f.com)'))).toBe(false);
  });
});

describe('arranging a streaming paragraph into cut lines and a live rest', () => {
  const cutAt = (nodes: Inline[], ends: number[]) => {
    const { parts } = splitAt(nodes, ends);
    return parts.map((p, k) => ({ end: ends[k]!, nodes: p }));
  };

  it('keeps cuts the text still agrees with, and the rest streams', () => {
    const text = 'one two three four five six seven eight';
    const cuts = cutAt(parseInline(text), [8, 19]);
    const grown = parseInline(`${text} nine ten`);
    const arranged = arrangeLive(grown, cuts);
    expect(arranged.kept).toBe(2);
    expect(arranged.lines.map(rendered)).toEqual(['one two ', 'three four ']);
    expect(rendered(arranged.live)).toBe('five six seven eight nine ten');
    expect(arranged.liveStart).toBe(19);
  });

  it('drops a cut (and all after it) once later text changes how the cut part parses', () => {
    const text = 'one *two three four five six';
    const cuts = cutAt(parseInline(text), [8, 19]);
    // The closing star arrives: "two ... six" is emphasis now, across both cuts.
    const grown = parseInline(`${text}* seven`);
    const arranged = arrangeLive(grown, cuts);
    expect(arranged.kept).toBe(0);
    expect(arranged.lines).toEqual([]);
    expect(arranged.live).toEqual(grown);
  });

  it('without cuts the whole paragraph is live', () => {
    const nodes = parseInline('just text');
    expect(arrangeLive(nodes, [])).toEqual({ lines: [], live: nodes, liveStart: 0, kept: 0 });
  });
});
