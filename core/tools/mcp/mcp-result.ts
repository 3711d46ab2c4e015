/**
 * A `tools/call` result as the text a small model reads: text content joined, anything else
 * (images, audio, resources) named in one line, `isError` kept. A server may send megabytes; the
 * turn cuts the result to its token budget, but nothing past `maxResultChars` is even kept here.
 */
import type { ToolResult } from '../tool';

export const maxResultChars = 400_000;

const isRecord = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

function describeContent(item: Record<string, unknown>): string {
  switch (item.type) {
    case 'text':
      return typeof item.text === 'string' ? item.text : '';
    case 'image':
    case 'audio':
      return `[${item.type}${typeof item.mimeType === 'string' ? ` ${item.mimeType.slice(0, 100)}` : ''}, not shown]`;
    case 'resource_link':
      return `[resource ${typeof item.uri === 'string' ? item.uri.slice(0, 500) : ''}]`;
    case 'resource': {
      const resource = isRecord(item.resource) ? item.resource : {};
      if (typeof resource.text === 'string') return resource.text;
      return `[resource ${typeof resource.uri === 'string' ? resource.uri.slice(0, 500) : ''}, binary, not shown]`;
    }
    default:
      return `[${String(item.type).slice(0, 40)} content, not shown]`;
  }
}

export function toToolResult(result: unknown): ToolResult {
  const record = isRecord(result) ? result : {};
  const content = Array.isArray(record.content) ? record.content : [];
  const parts: string[] = [];
  let length = 0;
  let cut = false;
  for (const item of content) {
    if (!isRecord(item)) continue;
    let part = describeContent(item);
    if (length + part.length > maxResultChars) {
      part = part.slice(0, Math.max(0, maxResultChars - length));
      cut = true;
    }
    parts.push(part);
    length += part.length + 1;
    if (cut) break;
  }
  // Older servers answer with `toolResult`; structured-only answers carry `structuredContent`.
  if (parts.length === 0 && record.structuredContent !== undefined) parts.push(JSON.stringify(record.structuredContent).slice(0, maxResultChars));
  else if (parts.length === 0 && record.toolResult !== undefined) parts.push(JSON.stringify(record.toolResult).slice(0, maxResultChars));
  let text = parts.join('\n');
  if (cut) text += `\n[result cut at ${maxResultChars} characters]`;
  return record.isError === true ? { text: text || 'The tool failed without saying why', isError: true } : { text };
}
