/**
 * Ollama structured outputs (`format` in /api/chat and /api/generate): with a JSON schema the
 * model's content is a JSON document matching it, with `"json"` any JSON object. The fake builds
 * that document from the schema: a configured value per property name where there is one
 * (`structured.values`, any JSON: tests play a hostile judge with scores of 7 or "high"), else a
 * plain value of the property's type. `structured.mode: 'malformed'` sends text that is not JSON.
 */

export interface StructuredBehaviour {
  /** Values by property name, used wherever the schema has that property (unchecked on purpose). */
  values?: Record<string, unknown>;
  /** 'valid' (default): JSON matching the schema; 'malformed': a truncated, unparseable object. */
  mode?: 'valid' | 'malformed';
}

export const defaultStructured = (): StructuredBehaviour => ({ values: {}, mode: 'valid' });

/** Whether a request asks for structured output (a schema object or "json"). */
export function wantsStructured(format: unknown): boolean {
  return format === 'json' || (typeof format === 'object' && format !== null && !Array.isArray(format));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value of a schema, at most `depth` objects deep (a schema may be recursive or hostile). */
function valueFor(schema: unknown, values: Record<string, unknown>, depth: number): unknown {
  if (!isRecord(schema) || depth > 8) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isRecord(schema.properties) ? schema.properties : {};
      for (const [key, child] of Object.entries(properties)) {
        out[key] = Object.hasOwn(values, key) ? values[key] : valueFor(child, values, depth + 1);
      }
      return out;
    }
    case 'number': {
      const v = 0.8;
      return min !== undefined && v < min ? min : max !== undefined && v > max ? max : v;
    }
    case 'integer':
      return min ?? 0;
    case 'boolean':
      return false;
    case 'string':
      return 'fake structured output';
    case 'array':
      return [];
    case 'null':
      return null;
    default:
      return {};
  }
}

/** The content of a structured reply to `format`. */
export function structuredReply(format: unknown, behaviour: StructuredBehaviour): string {
  const values = behaviour.values ?? {};
  const document = format === 'json' ? { ...values } : valueFor(format, values, 0);
  const text = JSON.stringify(document) ?? 'null';
  // Cut inside the object: what a model that ran out of tokens (or ignores the format) sends.
  return behaviour.mode === 'malformed' ? `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}` : text;
}
