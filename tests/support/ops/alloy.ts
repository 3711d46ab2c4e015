/**
 * A structural reader for Grafana Alloy configuration (no alloy binary here): blocks with
 * optional labels, attributes with their raw expression text. Enough to check which components
 * exist, how they are wired, and what their attributes say; `alloy validate` does the rest.
 */
export interface AlloyBlock {
  /** `otelcol.receiver.otlp`, `policy`, `client`, ... */
  name: string;
  label: string | null;
  /** Attribute -> its expression, tokens joined by single spaces (`"Bearer " + sys.env ( "X" )`). */
  attrs: Record<string, string>;
  blocks: AlloyBlock[];
  line: number;
}

interface Token {
  kind: 'ident' | 'string' | 'number' | 'punct' | 'newline';
  text: string;
  line: number;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`line ${line}: unterminated /* comment`);
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') throw new Error(`line ${line}: newline in string`);
        j++;
      }
      if (j >= src.length) throw new Error(`line ${line}: unterminated string`);
      tokens.push({ kind: 'string', text: src.slice(i, j + 1), line });
      i = j + 1;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end === -1) throw new Error(`line ${line}: unterminated raw string`);
      tokens.push({ kind: 'string', text: src.slice(i, end + 1), line });
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[\w.]/.test(src[j]!)) j++;
      tokens.push({ kind: 'ident', text: src.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[\w.]/.test(src[j]!)) j++;
      tokens.push({ kind: 'number', text: src.slice(i, j), line });
      i = j;
    } else if ('{}[]()=,+-*/%!<>&|:?.'.includes(c)) {
      const two = src.slice(i, i + 2);
      const op = ['==', '!=', '<=', '>=', '&&', '||'].includes(two) ? two : c;
      tokens.push({ kind: 'punct', text: op, line });
      i += op.length;
    } else {
      throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

const opening: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/** Parses a whole file into its top-level blocks; throws on what is not Alloy's shape. */
export function parseAlloy(src: string): AlloyBlock[] {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const skipNewlines = () => {
    while (peek()?.kind === 'newline') pos++;
  };

  function expression(): string {
    const parts: string[] = [];
    const stack: string[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if (stack.length === 0 && (t.kind === 'newline' || t.text === '}')) break;
      if (t.kind === 'punct' && opening[t.text]) stack.push(opening[t.text]!);
      else if (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')')) {
        if (stack.pop() !== t.text) throw new Error(`line ${t.line}: unbalanced ${t.text}`);
      }
      if (t.kind !== 'newline') parts.push(t.text);
      pos++;
    }
    if (stack.length) throw new Error('unterminated expression');
    if (!parts.length) throw new Error(`line ${tokens[pos - 1]?.line}: empty attribute value`);
    return parts.join(' ');
  }

  function body(closing: boolean): Omit<AlloyBlock, 'name' | 'label' | 'line'> {
    const attrs: Record<string, string> = {};
    const blocks: AlloyBlock[] = [];
    for (;;) {
      skipNewlines();
      const t = peek();
      if (!t) {
        if (closing) throw new Error('missing }');
        break;
      }
      if (t.text === '}') {
        if (!closing) throw new Error(`line ${t.line}: unexpected }`);
        pos++;
        break;
      }
      if (t.kind !== 'ident') throw new Error(`line ${t.line}: expected a block or attribute name, got ${t.text}`);
      pos++;
      const next = peek();
      if (next?.text === '=') {
        pos++;
        if (t.text in attrs) throw new Error(`line ${t.line}: attribute ${t.text} set twice`);
        attrs[t.text] = expression();
      } else {
        let label: string | null = null;
        if (next?.kind === 'string') {
          label = JSON.parse(next.text.startsWith('`') ? JSON.stringify(next.text.slice(1, -1)) : next.text) as string;
          pos++;
        }
        if (peek()?.text !== '{') throw new Error(`line ${t.line}: expected { after ${t.text}`);
        pos++;
        blocks.push({ name: t.text, label, line: t.line, ...body(true) });
      }
    }
    return { attrs, blocks };
  }

  const top = body(false);
  if (Object.keys(top.attrs).length) throw new Error(`attributes outside blocks: ${Object.keys(top.attrs).join(', ')}`);
  return top.blocks;
}

/** `component.name.label.export` references inside an expression (e.g. in `output` lists). */
export function componentRefs(expr: string): { component: string; label: string; exported: string }[] {
  return [...expr.matchAll(/\b((?:[a-z_]+\.)+[a-z_]+)\.([A-Za-z_]\w*)\.(input|receiver)\b/g)].map((m) => ({ component: m[1]!, label: m[2]!, exported: m[3]! }));
}

/** Every string literal of a file, unquoted (comments are not strings). */
export function stringLiterals(src: string): string[] {
  return tokenize(src)
    .filter((t) => t.kind === 'string')
    .map((t) => (t.text.startsWith('`') ? t.text.slice(1, -1) : (JSON.parse(t.text) as string)));
}

/** Unquotes a plain string literal expression ("..." only). */
export function stringValue(expr: string | undefined): string | undefined {
  if (expr === undefined || !/^"(?:[^"\\]|\\.)*"$/.test(expr)) return undefined;
  return JSON.parse(expr) as string;
}
