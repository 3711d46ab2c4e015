/**
 * HTML to text without a DOM: drops script/style/head, turns headings into Markdown headings (so
 * the Markdown chunker keeps a heading trail), block elements into line breaks, <pre> into fenced
 * code, and decodes the common entities. Good enough for documentation pages, not a browser.
 */
const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '-', ndash: '-', hellip: '...', copy: '(c)' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

const stripTags = (html: string) => html.replace(/<[^>]*>/g, '');

export function htmlToText(html: string): string {
  const blocks: string[] = [];
  let s = html.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(script|style|head|noscript|template|svg)\b[\s\S]*?<\/\1\s*>/gi, '');
  // <pre> bodies are set aside so the tag stripping below cannot eat "<" inside code.
  s = s.replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_, body: string) => {
    blocks.push(`\`\`\`\n${decodeEntities(stripTags(body)).replace(/^\n+|\n+$/g, '')}\n\`\`\``);
    return `\n\n\u0000${blocks.length - 1}\u0000\n\n`;
  });
  s = s.replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_, level: string, body: string) => `\n\n${'#'.repeat(Number(level))} ${stripTags(body).replace(/\s+/g, ' ').trim()}\n\n`);
  s = s.replace(/<li\b[^>]*>/gi, '\n- ');
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<\/?(p|div|section|article|header|footer|nav|main|aside|ul|ol|table|tr|blockquote|dl|dt|dd|figure|form)\b[^>]*>/gi, '\n\n');
  s = s.replace(/<\/t[dh]\s*>/gi, '\t');
  // Entities after the tags, so an encoded "&lt;tag&gt;" stays text instead of being stripped.
  s = decodeEntities(stripTags(s)).replace(/[ \t\f\v\r]+/g, ' ').replace(/ *\n */g, '\n');
  // NUL brackets a placeholder: it cannot occur in text that reached this point.
  // eslint-disable-next-line no-control-regex
  s = s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => blocks[Number(i)] ?? '');
  return s.replace(/\n{3,}/g, '\n\n').trim();
}
