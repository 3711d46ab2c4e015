import { describe, expect, it } from 'vitest';
import { inlineText, parseInline, parseMarkdown, safeHref, type Block } from '../../renderer/src/markdown/parse';

const strip = (blocks: (Block & { raw?: string })[]) => blocks.map(({ raw: _raw, ...b }) => b as Block);

describe('markdown parser', () => {
  it('parses paragraphs, headings, emphasis and inline code', () => {
    const blocks = strip(parseMarkdown('# Title\n\nSome **bold** and *em* and `code`.\nNext line'));
    expect(blocks[0]).toEqual({ type: 'heading', level: 1, children: [{ type: 'text', text: 'Title' }] });
    expect(blocks[1]).toEqual({
      type: 'paragraph',
      children: [
        { type: 'text', text: 'Some ' },
        { type: 'strong', children: [{ type: 'text', text: 'bold' }] },
        { type: 'text', text: ' and ' },
        { type: 'em', children: [{ type: 'text', text: 'em' }] },
        { type: 'text', text: ' and ' },
        { type: 'code', text: 'code' },
        { type: 'text', text: '.' },
        { type: 'br' },
        { type: 'text', text: 'Next line' },
      ],
    });
  });

  it('parses setext headings: text underlined with = (level 1) or - (level 2)', () => {
    expect(strip(parseMarkdown('Title\n=====\n\nbody'))).toEqual([
      { type: 'heading', level: 1, children: [{ type: 'text', text: 'Title' }] },
      { type: 'paragraph', children: [{ type: 'text', text: 'body' }] },
    ]);
    // `---` under text is a heading, not a rule; the heading may span lines and hold inline Markdown.
    expect(strip(parseMarkdown('Disk **usage**\nper host\n---\nafter'))).toEqual([
      { type: 'heading', level: 2, children: [{ type: 'text', text: 'Disk ' }, { type: 'strong', children: [{ type: 'text', text: 'usage' }] }, { type: 'br' }, { type: 'text', text: 'per host' }] },
      { type: 'paragraph', children: [{ type: 'text', text: 'after' }] },
    ]);
    // Without text right above it, a dash line stays a rule; after a list item it ends the list.
    expect(strip(parseMarkdown('text\n\n---'))).toEqual([{ type: 'paragraph', children: [{ type: 'text', text: 'text' }] }, { type: 'hr' }]);
    expect(strip(parseMarkdown('- item\n---')).map((b) => b.type)).toEqual(['list', 'hr']);
    expect(strip(parseMarkdown('- item\n  ===\n'))[0]).toMatchObject({ type: 'list', items: [[{ type: 'heading', level: 1 }]] });
    // Streaming "Steps:\n- one": the lone dash at the end is a list item coming, not an underline yet.
    expect(strip(parseMarkdown('Steps:\n-')).map((b) => b.type)).toEqual(['paragraph', 'list']);
    expect(strip(parseMarkdown('Steps:\n- one')).map((b) => b.type)).toEqual(['paragraph', 'list']);
    expect(strip(parseMarkdown('Title\n=\nbody'))[0]).toMatchObject({ type: 'heading', level: 1 });
  });

  it('keeps snake_case and lone stars literal', () => {
    expect(inlineText(parseInline('use snake_case_name and 2 * 3'))).toBe('use snake_case_name and 2 * 3');
    expect(parseInline('use snake_case_name').every((n) => n.type === 'text')).toBe(true);
  });

  it('parses fenced code blocks, closed or still streaming', () => {
    expect(strip(parseMarkdown('```bash\necho <b>hi</b>\n```\nafter'))).toEqual([
      { type: 'code', lang: 'bash', text: 'echo <b>hi</b>', closed: true },
      { type: 'paragraph', children: [{ type: 'text', text: 'after' }] },
    ]);
    expect(strip(parseMarkdown('```\npartial'))).toEqual([{ type: 'code', lang: null, text: 'partial', closed: false }]);
  });

  it('parses nested lists and blockquotes', () => {
    const [list] = strip(parseMarkdown('- one\n- two\n  - two.a\n1. x'));
    expect(list).toMatchObject({ type: 'list', ordered: false });
    const items = (list as Extract<Block, { type: 'list' }>).items;
    expect(items).toHaveLength(2);
    expect(items[1]![1]).toMatchObject({ type: 'list', items: [[{ type: 'paragraph', children: [{ type: 'text', text: 'two.a' }] }]] });
    const ordered = strip(parseMarkdown('3. c\n4. d'))[0];
    expect(ordered).toMatchObject({ type: 'list', ordered: true, start: 3 });
    expect(strip(parseMarkdown('> quoted **x**\n> more'))[0]).toMatchObject({ type: 'blockquote', children: [{ type: 'paragraph' }] });
  });

  it('parses tables with alignment and caps their rows', () => {
    const rows = Array.from({ length: 250 }, (_, i) => `| ${i} | v${i} |`).join('\n');
    const [table] = strip(parseMarkdown(`| a | b |\n|:--|--:|\n${rows}`, { maxTableRows: 200 }));
    expect(table).toMatchObject({ type: 'table', align: ['left', 'right'], omittedRows: 50 });
    const t = table as Extract<Block, { type: 'table' }>;
    expect(t.rows).toHaveLength(200);
    expect(inlineText(t.header[0]!)).toBe('a');
    expect(inlineText(t.rows[199]![1]!)).toBe('v199');
  });

  it('keeps only absolute http(s) links; others keep their text without a link', () => {
    expect(parseInline('[ok](https://grafana.lab/d/x?a=1)')).toEqual([{ type: 'link', href: 'https://grafana.lab/d/x?a=1', children: [{ type: 'text', text: 'ok' }] }]);
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', '/relative', 'vbscript:x', 'http://user:pw@host/']) {
      expect(parseInline(`[x](${bad})`)[0]).toMatchObject({ type: 'link', href: null });
    }
    expect(safeHref(' https://example.com ')).toBe('https://example.com/');
    expect(safeHref('java\tscript:alert(1)')).toBeNull();
    expect(parseInline('see https://ollama.com/docs.')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', href: 'https://ollama.com/docs', children: [{ type: 'text', text: 'https://ollama.com/docs' }] },
      { type: 'text', text: '.' },
    ]);
  });

  it('turns [n] into citations but not [text](url) links', () => {
    expect(parseInline('ZFS [1][2] and [3](https://x.y)')).toEqual([
      { type: 'text', text: 'ZFS ' },
      { type: 'cite', n: 1 },
      { type: 'cite', n: 2 },
      { type: 'text', text: ' and ' },
      { type: 'link', href: 'https://x.y/', children: [{ type: 'text', text: '3' }] },
    ]);
  });

  it('treats raw HTML as text and images as links (never loaded)', () => {
    expect(parseInline('<script>alert(1)</script>')).toEqual([{ type: 'text', text: '<script>alert(1)</script>' }]);
    expect(parseInline('![alt](javascript:x)')).toEqual([{ type: 'link', href: null, children: [{ type: 'text', text: 'image: alt' }] }]);
  });

  it('stays fast on hostile input', () => {
    const start = performance.now();
    parseMarkdown(`${'*a '.repeat(20_000)}\n\n${'['.repeat(10_000)}\n\n${'> '.repeat(500)}x\n\n${'`'.repeat(5000)}`);
    expect(performance.now() - start).toBeLessThan(1500);
  });

  it('records the source of each top-level block (the renderer memoizes on it)', () => {
    const blocks = parseMarkdown('para one\n\n```js\nx\n```');
    expect(blocks.map((b) => b.raw)).toEqual(['para one', '```js\nx\n```']);
  });
});

describe('parsing a growing answer', () => {
  it('gives the same blocks as a full parse at every step of a stream', async () => {
    const { parseGrowing } = await import('../../renderer/src/markdown/render');
    const { parseMarkdown } = await import('../../renderer/src/markdown/parse');
    const answer = [
      '# Backups',
      '',
      'Status of the NAS',
      '=================',
      '',
      'The NAS is backed up **nightly** at 02:00 [1].',
      '',
      '```sh',
      'restic backup /srv --tag nightly',
      '',
      'restic forget --keep-daily 7',
      '```',
      '',
      '- one',
      '- two',
      '',
      '| host | ip |',
      '|---|---|',
      '| nas | 10.0.0.5 |',
      '',
      'Done.',
    ].join('\n');
    const strip = (blocks: { raw: string }[]) => JSON.parse(JSON.stringify(blocks));
    let previous: { text: string; blocks: ReturnType<typeof parseMarkdown> } | null = null;
    for (let end = 1; end <= answer.length; end += 1) {
      const text = answer.slice(0, end);
      const blocks = parseGrowing(text, previous);
      expect(strip(blocks), `at ${end} chars`).toEqual(strip(parseMarkdown(text)));
      previous = { text, blocks };
    }
  });
});
