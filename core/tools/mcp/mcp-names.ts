/**
 * Names of MCP tools as the model sees them: `server.tool`, within the registry's pattern
 * (`^[a-zA-Z0-9_.-]{1,64}$`). A server chooses its tool names freely (spaces, `__proto__`, 300
 * characters, two tools of one name), so each is made callable here and kept unique per server;
 * the call goes out under the server's own name, kept beside it in a Map (never an object key).
 */
import { createHash } from 'node:crypto';

const maxNameLength = 64;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * The model-facing names of one server's tools, in the order given. Characters outside
 * `[a-zA-Z0-9_-]` become `_` (the one `.` separates server and tool); a name cut to fit gets a
 * hash of the original so two long names stay apart; a name taken already gets `_2`, `_3`.
 */
export function modelToolNames(server: string, toolNames: readonly string[]): string[] {
  const prefix = `${server}.`;
  const room = maxNameLength - prefix.length;
  const taken = new Set<string>();
  return toolNames.map((original) => {
    let base = original.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool';
    if (base.length > room) base = `${base.slice(0, room - 7)}_${shortHash(original)}`;
    let name = prefix + base;
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`;
      name = prefix + base.slice(0, room - suffix.length) + suffix;
    }
    taken.add(name);
    return name;
  });
}
