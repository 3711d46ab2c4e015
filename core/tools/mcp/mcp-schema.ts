/**
 * What an MCP server says about a tool, made safe to put in front of a small model: the input
 * JSON schema reduced to the subset Ollama's `tools[].function.parameters` carries, descriptions
 * capped. A server is untrusted input: a description of a megabyte, a schema with `__proto__`
 * properties or thousands of them must cost nothing but being cut.
 */
import type { ToolParameters } from '../tool';

export const maxDescriptionChars = 1024;
const maxProperties = 64;
const maxPropertyNameChars = 64;
const maxPropertyDescriptionChars = 300;
const maxEnumValues = 50;

const isRecord = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

export function capText(text: unknown, max: number): string {
  if (typeof text !== 'string') return '';
  // Control characters (but newline and tab) carry nothing for a model and can hide text.
  // eslint-disable-next-line no-control-regex -- matching them is the point
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

const jsonTypes = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function typeOf(value: unknown): string | string[] | undefined {
  if (typeof value === 'string' && jsonTypes.has(value)) return value;
  if (Array.isArray(value)) {
    const types = value.filter((t): t is string => typeof t === 'string' && jsonTypes.has(t));
    return types.length ? types.slice(0, jsonTypes.size) : undefined;
  }
  return undefined;
}

/** A property's schema: type, description, enum of primitives, and a shallow `items` type. */
function propertyOf(value: unknown): ToolParameters['properties'][string] {
  if (!isRecord(value)) return {};
  const out: ToolParameters['properties'][string] = {};
  const type = typeOf(value.type);
  if (type) out.type = type;
  const description = capText(value.description, maxPropertyDescriptionChars);
  if (description) out.description = description;
  if (Array.isArray(value.enum)) {
    const values = value.enum.filter((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)).slice(0, maxEnumValues);
    out.enum = values.map((v) => (typeof v === 'string' ? capText(v, 200) : v));
  }
  if (isRecord(value.items)) {
    const itemType = typeOf(value.items.type);
    if (itemType) out.items = { type: itemType };
  }
  return out;
}

/** The tool's `inputSchema` as ToolParameters; anything unreadable becomes "no arguments". */
export function toolParameters(inputSchema: unknown): ToolParameters {
  const properties: ToolParameters['properties'] = {};
  const names: string[] = [];
  if (isRecord(inputSchema) && isRecord(inputSchema.properties)) {
    for (const name of Object.keys(inputSchema.properties).slice(0, maxProperties)) {
      if (name.length === 0 || name.length > maxPropertyNameChars) continue;
      // defineProperty: a property named `__proto__` stays an ordinary own key.
      Object.defineProperty(properties, name, { value: propertyOf(inputSchema.properties[name]), enumerable: true, writable: true, configurable: true });
      names.push(name);
    }
  }
  const required = isRecord(inputSchema) && Array.isArray(inputSchema.required) ? inputSchema.required.filter((r): r is string => typeof r === 'string' && names.includes(r)) : [];
  return { type: 'object', properties, ...(required.length ? { required: [...new Set(required)] } : {}) };
}
